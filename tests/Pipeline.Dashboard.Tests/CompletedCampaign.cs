// One embedded dashboard with one finished tiny self-rewarding campaign (generation, judging, pairs, DPO update,
// evaluation: every kind of stage output), shared by the page tests, which only read.
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Orchestration;
using Pipeline.Stages.Tests.Work;

namespace Pipeline.Dashboard.Tests;

public sealed class CompletedCampaign : IAsyncLifetime
{
    public const string Id = "dash-pages";

    internal DashboardFactory Factory { get; } = new();

    internal CampaignDefinition Definition { get; } = TinyCampaign.Small(Recipe.SelfRewarding);

    internal CampaignState State { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Factory.Campaigns.StartAsync(Definition, await TinyCampaign.BaseFolder.Value, Id);
        State = await Factory.WaitForStateAsync(Id, s => s.Status != CampaignStatus.Running || s.Failures().Any());
        Assert.Equal(CampaignStatus.Completed, State.Status);
    }

    public async Task DisposeAsync() => await Factory.DisposeAsync();
}
