// Reading a campaign's report from a folder store laid out as the campaign design says, and writing it as Markdown, JSON
// and SVG: iterations in numeric order, undefined metrics kept undefined, and clear errors for a missing campaign.
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Pipeline.Contracts;
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Reporting;
using Pipeline.Stages.Work;
using Pipeline.Storage;
using Pipeline.Storage.Folder;

namespace Pipeline.Stages.Tests.Reporting;

public sealed class CampaignReportTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), "pipeline-report-tests", Guid.NewGuid().ToString("N"));
    readonly FolderObjectStore _store;

    public CampaignReportTests() => _store = new FolderObjectStore(Path.Combine(_root, "store"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
            Directory.Delete(_root, recursive: true);
    }

    internal static DifficultyMetrics Metrics(string difficulty, int iteration, double auroc = 0.7) =>
        new(difficulty, 50, 0.4 + 0.1 * iteration, 0.45 + 0.1 * iteration, 0.2 - 0.02 * iteration, 1.1 + 0.3 * iteration, auroc,
            9.5 - iteration, 0.6, 3 - iteration);

    /// <summary>Writes evaluation.json the way the stages' writers do: web defaults, camelCase.</summary>
    internal static async Task WriteEvaluationAsync(IObjectStore store, string campaign, int iteration, IReadOnlyList<DifficultyMetrics> metrics,
        JsonSerializerOptions? options = null)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(metrics, options ?? new JsonSerializerOptions(JsonSerializerDefaults.Web));
        await store.PutAsync(CampaignKeys.Evaluation(campaign, iteration), new MemoryStream(bytes));
    }

    [Fact]
    public async Task LoadAsync_EvaluationsDefinitionAndState_IterationsInNumericOrderWithRecipeAndStatus()
    {
        foreach (var iteration in new[] { 10, 0, 2, 1 })
            await WriteEvaluationAsync(_store, "c1", iteration, [Metrics("easy", iteration), Metrics("hard", iteration)]);
        await CampaignFiles.WriteDefinitionAsync(_store, "c1", CampaignDefinition.LoadBuiltIn("intuitor") with { Iterations = 10, PromptsPerIteration = 64 });
        await _store.WriteDocumentAsync(CampaignKeys.State("c1"), Encoding.UTF8.GetBytes("""
            {"status":"running","iteration":11,"iterationStates":[
              {"iteration":2,"shardSummaries":{"judging":{"0":{"parse_failures":3,"judge_samples":40},"1":{"parse_failures":1,"judge_samples":40}}}},
              {"iteration":1,"shardSummaries":{"judging":{"0":{"parse_failures":7,"judge_samples":40}},"pairs":{"0":{"pairs":5}}}},
              {"iteration":3,"shardSummaries":{"scoring":{"0":{"rollouts":8}}}}]}
            """), null);
        await _store.PutAsync("campaigns/c1/iter-3/generation/shard-0.jsonl", new MemoryStream([]));

        var report = await CampaignReport.LoadAsync(_store, "c1");

        Assert.Equal([0, 1, 2, 10], report.Iterations.Select(i => i.Iteration));
        Assert.Equal(Metrics("hard", 2), report.Iterations[2].Difficulties[1]);
        Assert.Equal("intuitor", report.Recipe);
        Assert.Equal(10, report.PlannedIterations);
        Assert.Equal("running", report.Status);
        Assert.Equal([new JudgeParseCount(1, 7, 40), new JudgeParseCount(2, 4, 80)], report.JudgeParseFailures);
        Assert.Empty(report.Notes);
    }

    [Fact]
    public async Task LoadAsync_OnlyEvaluations_RecipeAndStatusUnknown()
    {
        await WriteEvaluationAsync(_store, "c2", 0, [Metrics("easy", 0)]);

        var report = await CampaignReport.LoadAsync(_store, "c2");

        Assert.Null(report.Recipe);
        Assert.Null(report.Status);
        Assert.Equal(Metrics("easy", 0), Assert.Single(Assert.Single(report.Iterations).Difficulties));
    }

    [Fact]
    public async Task LoadAsync_NothingUnderCampaign_ThrowsNotFound()
    {
        await WriteEvaluationAsync(_store, "other", 0, [Metrics("easy", 0)]);

        var error = await Assert.ThrowsAsync<KeyNotFoundException>(() => CampaignReport.LoadAsync(_store, "missing"));

        Assert.Equal("Campaign 'missing' not found: the store has nothing under campaigns/missing/.", error.Message);
    }

    [Fact]
    public async Task LoadAsync_EvaluationNotAList_ThrowsNamingKey()
    {
        await _store.PutAsync(CampaignKeys.Evaluation("c3", 0), new MemoryStream("""{"accuracy":1}"""u8.ToArray()));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => CampaignReport.LoadAsync(_store, "c3"));

        Assert.StartsWith("campaigns/c3/iter-0/evaluation.json:", error.Message);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("\"NaN\"")]
    public void ParseEvaluation_UndefinedAurocSpelledEitherWay_ReadsNaN(string spelling)
    {
        var json = JsonSerializer.Serialize(new[] { Metrics("easy", 0) }, new JsonSerializerOptions(JsonSerializerDefaults.Web))
            .Replace("\"selfCertaintyAuroc\":0.7", $"\"selfCertaintyAuroc\":{spelling}", StringComparison.Ordinal);

        var metrics = Assert.Single(CampaignReport.ParseEvaluation("e.json", Encoding.UTF8.GetBytes(json)));

        Assert.True(double.IsNaN(metrics.SelfCertaintyAuroc));
        Assert.Equal(0.4, metrics.GreedyAccuracy);
    }

    [Fact]
    public void ParseEvaluation_ObjectWithDifficulties_ReadsTheList()
    {
        var json = JsonSerializer.Serialize(new { checkpoint = "x", difficulties = new[] { Metrics("easy", 1), Metrics("hard", 1) } },
            new JsonSerializerOptions(JsonSerializerDefaults.Web));

        var metrics = CampaignReport.ParseEvaluation("e.json", Encoding.UTF8.GetBytes(json));

        Assert.Equal([Metrics("easy", 1), Metrics("hard", 1)], metrics);
    }

    [Fact]
    public async Task Write_ThreeIterations_MarkdownJsonAndOnePlotPerMetricWithALinePerDifficulty()
    {
        for (var iteration = 0; iteration < 3; iteration++)
            await WriteEvaluationAsync(_store, "c4", iteration, [Metrics("easy", iteration), Metrics("hard", iteration, auroc: double.NaN)],
                new JsonSerializerOptions(JsonSerializerDefaults.Web) { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals });
        await _store.WriteDocumentAsync(CampaignKeys.State("c4"), Encoding.UTF8.GetBytes("""
            {"status":"completed","iterationStates":[
              {"iteration":1,"shardSummaries":{"judging":{"0":{"parse_failures":12,"judge_samples":64}}}},
              {"iteration":2,"shardSummaries":{"judging":{"0":{"parse_failures":9,"judge_samples":64}}}}]}
            """), null);
        var report = await CampaignReport.LoadAsync(_store, "c4");
        var output = Path.Combine(_root, "out");

        var files = CampaignReportWriter.Write(report, output);

        Assert.Equal(["report.md", "report.json", "accuracy.svg", "ece.svg", "self-certainty.svg", "response-length.svg", "judge-parse-failures.svg"],
            files.Select(Path.GetFileName));
        var markdown = File.ReadAllText(Path.Combine(output, "report.md"));
        Assert.Contains("| 2 | 0.600 | 0.600 |", markdown);
        Assert.Contains("![Greedy accuracy](accuracy.svg)", markdown);
        Assert.Contains("| hard | 50 | 0.500 | 0.550 | 0.180 | 1.400 | n/a | 8.5 | 0.600 |", markdown);
        Assert.Contains("| 2 | 9 | 64 |", markdown);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "report.json")))!;
        Assert.Equal(3, json["iterations"]!.AsArray().Count);
        Assert.Null(json["iterations"]![0]!["difficulties"]![1]!["selfCertaintyAuroc"]);
        Assert.Equal(1.7, json["iterations"]![2]!["difficulties"]![0]!["meanSelfCertainty"]!.GetValue<double>(), 12);
        var accuracy = Series(Path.Combine(output, "accuracy.svg"));
        Assert.Equal(["easy", "hard"], accuracy.Select(g => g.Elements().First(e => e.Name.LocalName == "title").Value));
        Assert.All(accuracy, g => Assert.Equal(3, g.Elements().First(e => e.Name.LocalName == "polyline").Attribute("points")!.Value.Split(' ').Length));
        var judge = Assert.Single(Series(Path.Combine(output, "judge-parse-failures.svg")));
        Assert.Equal("judging stage", judge.Elements().First(e => e.Name.LocalName == "title").Value);
        Assert.Equal(2, judge.Elements().First(e => e.Name.LocalName == "polyline").Attribute("points")!.Value.Split(' ').Length);
    }

    static List<XElement> Series(string svg) =>
        XDocument.Parse(File.ReadAllText(svg)).Descendants().Where(e => e.Name.LocalName == "g" && (string?)e.Attribute("class") == "series").ToList();
}
