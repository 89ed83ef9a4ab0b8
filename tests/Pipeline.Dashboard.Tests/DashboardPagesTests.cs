// Every page and its JSON twin through HTTP, against a tiny campaign the embedded dashboard ran to completion.
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Pipeline.Contracts;
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Work;

namespace Pipeline.Dashboard.Tests;

public sealed class DashboardPagesTests(CompletedCampaign campaign) : IClassFixture<CompletedCampaign>
{
    const string Id = CompletedCampaign.Id;
    readonly HttpClient _client = campaign.Factory.Browser();

    [Fact]
    public async Task CampaignList_CompletedCampaign_ShowsRecipeStatusProgressAndNoFailures()
    {
        var html = await DashboardFactory.GetAsync(_client, "/");

        var row = Regex.Match(html, $"<tr data-campaign=\"{Id}\">.*?</tr>", RegexOptions.Singleline).Value;
        Assert.Contains($"<a href=\"/campaigns/{Id}\">{Id}</a>", row);
        Assert.Contains("<td>self-rewarding</td>", row);
        Assert.Contains("badge completed", row);
        Assert.Contains("2/2", row);
        Assert.Contains("data-value=\"0\">0</td>", row);
        Assert.Contains("<link rel=\"stylesheet\" href=\"/assets/dashboard.css\">", html);
    }

    [Fact]
    public async Task CampaignPage_CompletedCampaign_ShowsEveryStageDoneTheEvaluationTableAndThePlots()
    {
        var html = await DashboardFactory.GetAsync(_client, $"/campaigns/{Id}");

        Assert.Contains($"data-live=\"/campaigns/{Id}/live\"", html);
        var cells = Regex.Matches(html, "<td class=\"stage (?<kind>\\w+)\" data-stage=\"(?<stage>\\w+)\" data-done=\"(?<done>\\d+)\" data-total=\"(?<total>\\d+)\">");
        // Iteration 0: evaluation; iterations 1 and 2: generation, judging, pairs, update, evaluation.
        Assert.Equal(11, cells.Count);
        Assert.All(cells, c => Assert.Equal(("done", c.Groups["total"].Value), (c.Groups["kind"].Value, c.Groups["done"].Value)));
        Assert.Contains($"href=\"/campaigns/{Id}/iterations/1/judging\"", html);
        Assert.DoesNotContain("class=\"failures\"", html);
        Assert.Equal(3, BodyRows(html, "evaluation"));
        foreach (var plot in new[] { "accuracy", "ece", "self-certainty", "response-length", "judge-accuracy", "judge-parse-failures" })
            Assert.Matches($"<figure class=\"plot\" data-plot=\"{plot}\"><svg ", html);
        Assert.Contains("<h3>Judge parse failures</h3>", html);
    }

    [Fact]
    public async Task StageOutput_Generation_ListsEveryStoredRolloutWithGoldAnswerAndCorrectness()
    {
        var html = await DashboardFactory.GetAsync(_client, $"/campaigns/{Id}/iterations/1/generation");

        var stored = new List<Rollout>();
        for (var shard = 0; shard < campaign.Definition.Shards; shard++)
            stored.AddRange(await new ShardStore(campaign.Factory.Store).ReadAsync<Rollout>(CampaignKeys.ShardOutput(Id, 1, CampaignStage.Generation, shard)));
        var table = Regex.Match(html, "<table id=\"rollouts\".*?</table>", RegexOptions.Singleline).Value;
        var rows = BodyRows(html, "rollouts");
        Assert.Equal(stored.Count, rows);
        Assert.Equal(campaign.Definition.PromptsPerIteration * campaign.Definition.SamplesPerPrompt, rows);
        foreach (var rollout in stored)
            Assert.Contains($"<code>{WebUtility.HtmlEncode(rollout.Prompt)}</code>", table);
        // The recipe is label-free, yet the task knows every prompt's answer: each row says right or wrong.
        Assert.Equal(rows, Regex.Matches(table, "data-value=\"(yes|no)\"").Count);
        Assert.Contains("data-filter-for=\"rollouts\"", html);
    }

    [Fact]
    public async Task StageOutput_Judging_ShowsTheJudgeScoreColumn()
    {
        var html = await DashboardFactory.GetAsync(_client, $"/campaigns/{Id}/iterations/2/judging");

        Assert.Contains("<th class=\"num\">judge_parse_failures</th>", html);
        Assert.Contains("<th class=\"num\">judge_samples</th>", html);
        Assert.Contains("<a class=\"current\" href=\"/campaigns/dash-pages/iterations/2/judging\">judging</a>", html);
    }

    [Fact]
    public async Task StageOutput_Pairs_ShowsEveryStoredPairChosenBesideRejected()
    {
        var html = await DashboardFactory.GetAsync(_client, $"/campaigns/{Id}/iterations/1/pairs");

        var stored = new List<PreferencePairRecord>();
        for (var shard = 0; shard < campaign.Definition.Shards; shard++)
            stored.AddRange(await new ShardStore(campaign.Factory.Store).ReadAsync<PreferencePairRecord>(CampaignKeys.ShardOutput(Id, 1, CampaignStage.Pairs, shard)));
        var table = Regex.Match(html, "<table id=\"pairs\".*?</table>|<p class=\"empty\">No pairs stored.</p>", RegexOptions.Singleline).Value;
        Assert.Equal(stored.Count, Regex.Matches(table, "<td class=\"chosen\">").Count);
        foreach (var pair in stored)
            Assert.Contains($"<td class=\"chosen\"><code>{WebUtility.HtmlEncode(pair.Chosen.Text)}</code></td><td class=\"rejected\"><code>{WebUtility.HtmlEncode(pair.Rejected.Text)}</code></td>", table);
    }

    [Fact]
    public async Task StageOutput_UpdateAndEvaluation_ShowChunkFiguresAndHeldOutFigures()
    {
        var update = await DashboardFactory.GetAsync(_client, $"/campaigns/{Id}/iterations/1/update");
        var evaluation = await DashboardFactory.GetAsync(_client, $"/campaigns/{Id}/iterations/0/evaluation");

        Assert.Equal(campaign.Definition.ChunkCount, BodyRows(update, "chunks"));
        Assert.Contains("<th class=\"num\">loss</th>", update);
        Assert.Contains("<td>d2s1</td>", evaluation);
    }

    [Theory]
    [InlineData("/campaigns/no-such-campaign", "No campaign 'no-such-campaign' in the store.")]
    [InlineData("/campaigns/Not_An_Id", "No campaign 'Not_An_Id' in the store.")]
    [InlineData("/campaigns/dash-pages/iterations/9/generation", "has no iteration 9 for generation")]
    [InlineData("/campaigns/dash-pages/iterations/0/pairs", "has no iteration 0 for pairs")]
    [InlineData("/campaigns/dash-pages/iterations/1/nosuch", "has no stage 'nosuch'")]
    [InlineData("/campaigns/dash-pages/iterations/1/scoring", "(self-rewarding) has no stage 'scoring'")]
    [InlineData("/campaigns/dash-pages/iterations/one/generation", "There is no page at")]
    [InlineData("/queues/not-a-queue", "The bus is in-memory")]
    public async Task Page_UnknownCampaignIterationOrStage_AnswersAClear4xxPageWithoutStackTrace(string path, string message)
    {
        using var response = await _client.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();

        Assert.InRange((int)response.StatusCode, 400, 503);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Contains(WebUtility.HtmlEncode(message), html);
        Assert.DoesNotContain("   at ", html);
        Assert.DoesNotContain("Exception", html);
    }

    [Fact]
    public async Task Api_CampaignAndList_ReturnStateAndReportAsJson()
    {
        var list = JsonNode.Parse(await DashboardFactory.GetAsync(_client, "/api/campaigns"))!.AsArray();
        var one = JsonNode.Parse(await DashboardFactory.GetAsync(_client, $"/api/campaigns/{Id}"))!;
        var missing = JsonNode.Parse(await DashboardFactory.GetAsync(_client, "/api/campaigns/nope", HttpStatusCode.NotFound))!;

        Assert.Contains(list, c => (string?)c!["state"]!["campaignId"] == Id);
        Assert.Equal("completed", (string?)one["state"]!["status"]);
        Assert.Equal([0, 1, 2], one["report"]!["iterations"]!.AsArray().Select(i => (int)i!["iteration"]!));
        Assert.Equal("No campaign 'nope' in the store.", (string?)missing["message"]);
    }

    [Fact]
    public async Task Api_StageOutput_ReturnsTheRolloutsWithCorrectness()
    {
        var output = JsonNode.Parse(await DashboardFactory.GetAsync(_client, $"/api/campaigns/{Id}/iterations/1/generation"))!;

        var rollouts = output["rollouts"]!.AsArray();
        Assert.Equal(campaign.Definition.PromptsPerIteration * campaign.Definition.SamplesPerPrompt, rollouts.Count);
        Assert.All(rollouts, r => Assert.NotNull((string?)r!["goldAnswer"]));
        Assert.All(output["shards"]!.AsArray(), s => Assert.True((bool)s!["stored"]!));
    }

    [Fact]
    public async Task Live_SameVersion_Answers204AndOtherVersion_TheRenderedPart()
    {
        var version = (string)JsonNode.Parse(await DashboardFactory.GetAsync(_client, $"/api/campaigns/{Id}"))!["version"]!;

        using var unchanged = await _client.GetAsync($"/campaigns/{Id}/live?version={version}");
        using var stale = await _client.GetAsync($"/campaigns/{Id}/live?version=0");
        var listPart = await DashboardFactory.GetAsync(_client, "/live?version=0");

        Assert.Equal(HttpStatusCode.NoContent, unchanged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Equal(version, stale.Headers.GetValues("X-Version").Single());
        Assert.StartsWith($"<h1>Campaign {Id} ", await stale.Content.ReadAsStringAsync());
        Assert.Contains($"data-campaign=\"{Id}\"", listPart);
    }

    [Fact]
    public async Task Assets_StylesheetAndScript_AreServedFromTheAssembly()
    {
        using var css = await _client.GetAsync("/assets/dashboard.css");
        using var js = await _client.GetAsync("/assets/dashboard.js");

        Assert.Equal("text/css; charset=utf-8", css.Content.Headers.ContentType?.ToString());
        Assert.Contains("table.sortable", await css.Content.ReadAsStringAsync());
        Assert.Contains("data-live", await js.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task HtmlReport_CompletedCampaign_IsOneSelfContainedFileWithTheTablesAndPlots()
    {
        var report = await Pipeline.Stages.Reporting.CampaignReport.LoadAsync(campaign.Factory.Store, Id);
        var directory = Path.Combine(campaign.Factory.Root, "report");

        var path = await CampaignHtmlReport.WriteAsync(campaign.Factory.Store, report, directory);

        var html = await File.ReadAllTextAsync(path);
        Assert.Equal(Path.Combine(directory, "report.html"), path);
        Assert.Contains("<style>", html);
        Assert.Contains("<table id=\"evaluation\"", html);
        Assert.Contains("<table class=\"progress\">", html);
        // Accuracy, ECE, self-certainty, length, judge accuracy, parse failures, and the stages' compute time.
        Assert.Equal(7, Regex.Matches(html, "<figure class=\"plot\"").Count);
        Assert.DoesNotContain("src=\"", html);
        Assert.DoesNotContain("href=\"/", html);
        Assert.DoesNotContain("<form", html);
    }

    /// <summary>The rows of the body of the table with id <paramref name="tableId"/>.</summary>
    internal static int BodyRows(string html, string tableId) =>
        Regex.Matches(Regex.Match(html, $"<table id=\"{tableId}\".*?<tbody>(?<rows>.*?)</tbody>", RegexOptions.Singleline).Groups["rows"].Value, "<tr[ >]").Count;
}
