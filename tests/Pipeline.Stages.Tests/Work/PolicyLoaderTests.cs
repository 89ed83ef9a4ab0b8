// Loading policies by reference: the conversion between message and storage references, the shared in-memory copy, and
// private copies for training.
using Pipeline.Contracts;
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Work;
using Pipeline.Storage.Checkpoints;

namespace Pipeline.Stages.Tests.Work;

public sealed class PolicyLoaderTests
{
    [Fact]
    public void ToStorageAndBack_ValidReference_RoundTrips()
    {
        var reference = new CheckpointReference("checkpoints/c/iter-1/", new string('0', 63) + "f");

        Assert.Equal(reference, PolicyLoader.ToContract(PolicyLoader.ToStorage(reference)));
    }

    [Fact]
    public void ToStorage_BadHash_Throws()
    {
        Assert.Throws<ArgumentException>(() => PolicyLoader.ToStorage(new CheckpointReference("checkpoints/c/iter-1/", "abc")));
    }

    [Fact]
    public async Task UseAsync_TwoCalls_ShareOneModelWhileLoadCopyDoesNot()
    {
        using var campaign = await TinyCampaign.CreateAsync(TinyCampaign.Small(Recipe.Intuitor));

        var first = await campaign.Policies.UseAsync(campaign.Base, p => p.Model);
        var second = await campaign.Policies.UseAsync(campaign.Base, p => p.Model);
        var copy = await campaign.Policies.LoadCopyAsync(campaign.Base);

        Assert.Same(first, second);
        Assert.NotSame(first, copy.Model);
        Assert.True(first.Parameters.SequenceEqual(copy.Model.Parameters));
        Assert.Equal(campaign.Base, copy.Reference);
    }

    [Fact]
    public async Task UseAsync_Work_RunsOnAThreadOutsideThePool()
    {
        using var campaign = await TinyCampaign.CreateAsync(TinyCampaign.Small(Recipe.Intuitor));

        var onPool = await campaign.Policies.UseAsync(campaign.Base, _ => Thread.CurrentThread.IsThreadPoolThread);

        Assert.False(onPool);
    }

    [Fact]
    public async Task UseAsync_UnknownCheckpoint_ThrowsNotFound()
    {
        using var campaign = await TinyCampaign.CreateAsync(TinyCampaign.Small(Recipe.Intuitor));
        var missing = new CheckpointReference(CampaignKeys.Policy("tiny", 5), new string('1', 64));

        await Assert.ThrowsAsync<CheckpointNotFoundException>(() => campaign.Policies.UseAsync(missing, p => p.Model));
    }
}
