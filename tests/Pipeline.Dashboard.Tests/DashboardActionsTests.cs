// The actions through HTTP as a browser sends them (the button's form, anti-forgery field included), on campaigns the
// embedded dashboard runs: cancel and resume, retry of a stage made to fail, and the refusals (no anti-forgery field,
// no token).
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Orchestration;
using Pipeline.Stages.Tests.Work;
using Pipeline.Storage;

namespace Pipeline.Dashboard.Tests;

public sealed class DashboardActionsTests
{
    static CampaignDefinition OneIteration(Recipe recipe) => TinyCampaign.Small(recipe) with { Iterations = 1 };

    [Fact]
    public async Task CancelThenResume_RunningCampaign_StopsDispatchingThenCompletes()
    {
        await using var factory = new DashboardFactory();
        using var client = factory.Browser();
        const string id = "dash-cancel";
        await factory.Campaigns.StartAsync(OneIteration(Recipe.Intuitor), await TinyCampaign.BaseFolder.Value, id);

        using var cancel = await DashboardFactory.PressAsync(client, $"/campaigns/{id}", $"/campaigns/{id}/cancel");
        var cancelled = await factory.States.ReadAsync(id);
        var page = await DashboardFactory.GetAsync(client, $"/campaigns/{id}");
        using var resume = await DashboardFactory.PressAsync(client, $"/campaigns/{id}", $"/campaigns/{id}/resume");
        var completed = await factory.WaitForStateAsync(id, s => s.Status != CampaignStatus.Running || s.Failures().Any());

        Assert.Equal(HttpStatusCode.SeeOther, cancel.StatusCode);
        Assert.Equal($"/campaigns/{id}", cancel.Headers.Location?.OriginalString);
        Assert.Equal(CampaignStatus.Cancelled, cancelled!.Status);
        Assert.Contains($"Campaign {id} cancelled", page);
        Assert.Contains("badge cancelled", page);
        Assert.Equal(HttpStatusCode.SeeOther, resume.StatusCode);
        Assert.Equal(CampaignStatus.Completed, completed.Status);
        Assert.Empty(completed.Failures());
    }

    [Fact]
    public async Task Retry_ScoringMadeToFail_ShowsTheReasonThenRetryCompletesTheCampaign()
    {
        FaultyStore? faulty = null;
        await using var factory = new DashboardFactory(services: s => Decorate(s, store => faulty = new FaultyStore(store, key => key.Contains("/scoring/shard-", StringComparison.Ordinal))));
        using var client = factory.Browser();
        const string id = "dash-retry";
        await factory.Campaigns.StartAsync(OneIteration(Recipe.Intuitor), await TinyCampaign.BaseFolder.Value, id);
        var failed = await factory.WaitForStateAsync(id, s => s.Failures().Count() == 2);

        var page = await DashboardFactory.GetAsync(client, $"/campaigns/{id}");
        faulty!.Broken = false;
        using var retry = await DashboardFactory.PressAsync(client, $"/campaigns/{id}", "/stages/scoring/retry");
        var notice = await DashboardFactory.GetAsync(client, retry.Headers.Location!.OriginalString);
        var completed = await factory.WaitForStateAsync(id, s => s.Status != CampaignStatus.Running);

        Assert.All(failed.Failures(), f => Assert.Equal("scoring", f.Stage));
        Assert.Contains("<section class=\"failures\">", page);
        Assert.Contains(FaultyStore.Reason, page);
        Assert.Contains("badge failing", page);
        Assert.Equal(HttpStatusCode.SeeOther, retry.StatusCode);
        Assert.Equal($"/campaigns/{id}", retry.Headers.Location!.OriginalString);
        Assert.Contains($"Sent the failed scoring work of {id} again", notice);
        Assert.Equal(CampaignStatus.Completed, completed.Status);
        Assert.Empty(completed.Failures());
    }

    [Theory]
    [InlineData("/campaigns/dash-none/cancel")]
    [InlineData("/campaigns/dash-none/resume")]
    [InlineData("/stages/scoring/retry")]
    public async Task Post_WithoutAntiforgeryField_Answers400PageAndChangesNothing(string action)
    {
        await using var factory = new DashboardFactory();
        using var client = factory.Browser();
        await DashboardFactory.GetAsync(client, "/");

        using var response = await client.PostAsync(action, new FormUrlEncodedContent(new Dictionary<string, string> { ["returnTo"] = "/" }));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("lacks its anti-forgery field", html);
        Assert.DoesNotContain("   at ", html);
    }

    [Fact]
    public async Task Post_UnknownCampaignOrStage_Answers404Page()
    {
        await using var factory = new DashboardFactory();
        using var client = factory.Browser();
        await factory.Campaigns.StartAsync(OneIteration(Recipe.Intuitor) with { }, await TinyCampaign.BaseFolder.Value, "dash-known");
        var html = await DashboardFactory.GetAsync(client, "/campaigns/dash-known");
        var field = System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" value=\"(?<v>[^\"]+)\"").Groups["v"].Value;

        using var campaign = await client.PostAsync("/campaigns/dash-unknown/cancel", Form(field));
        using var stage = await client.PostAsync("/stages/nosuch/retry", Form(field));

        Assert.Equal(HttpStatusCode.NotFound, campaign.StatusCode);
        Assert.Contains("No campaign &#39;dash-unknown&#39; in the store.", await campaign.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, stage.StatusCode);
        Assert.Contains("There is no stage &#39;nosuch&#39;", await stage.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Token_Configured_RequestsWithoutItAnswer401AndWithItPass()
    {
        await using var factory = new DashboardFactory(new Dictionary<string, string?> { ["Dashboard:Token"] = "open-sesame-7" });
        using var client = factory.Browser();
        using var scripted = factory.Browser();
        scripted.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "open-sesame-7");

        using var anonymous = await client.GetAsync("/");
        using var anonymousApi = await client.GetAsync("/api/campaigns");
        using var wrong = await client.GetAsync("/?token=guess");
        using var opened = await client.GetAsync("/?token=open-sesame-7");
        var afterCookie = await DashboardFactory.GetAsync(client, "/");
        var api = await DashboardFactory.GetAsync(scripted, "/api/campaigns");
        using var post = await factory.Browser().PostAsync("/stages/scoring/retry", new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Contains("needs its token", await anonymous.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, anonymousApi.StatusCode);
        Assert.Equal("application/json; charset=utf-8", anonymousApi.Content.Headers.ContentType?.ToString());
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, opened.StatusCode);
        Assert.Equal("/", opened.Headers.Location?.OriginalString);
        Assert.Contains("<h1>Campaigns</h1>", afterCookie);
        Assert.Equal("[]", api);
        Assert.Equal(HttpStatusCode.Unauthorized, post.StatusCode);
    }

    static FormUrlEncodedContent Form(string antiforgery) =>
        new(new Dictionary<string, string> { ["__RequestVerificationToken"] = System.Net.WebUtility.HtmlDecode(antiforgery), ["returnTo"] = "/" });

    /// <summary>Replaces the registered store with <paramref name="decorate"/>(the store it would have been).</summary>
    internal static void Decorate(IServiceCollection services, Func<IObjectStore, IObjectStore> decorate)
    {
        var original = services.Last(d => d.ServiceType == typeof(IObjectStore));
        services.AddSingleton(p => decorate((IObjectStore)original.ImplementationFactory!(p)));
    }
}
