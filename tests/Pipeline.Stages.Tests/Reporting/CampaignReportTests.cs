// Reading a campaign's report from a folder store laid out as the campaign design says, its documents written by their
// owners' own writers, and writing it as Markdown, JSON and SVG: iterations in numeric order, undefined metrics kept
// undefined, and clear errors for a missing campaign or a malformed evaluation.
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Pipeline.Contracts;
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Orchestration;
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
            9.5 - iteration, 0.6);

    /// <summary>Writes evaluation.json through the evaluation stage's own writer (no per-problem reports: the report reads none).</summary>
    internal static Task WriteEvaluationAsync(IObjectStore store, string campaign, int iteration, IReadOnlyList<DifficultyMetrics> metrics) =>
        EvaluationWork.WriteAsync(store, new EvaluationReport(campaign, iteration,
            new CheckpointReference(CampaignKeys.Policy(campaign, iteration), new string('0', 64)), metrics, []));

    /// <summary>A campaign state with judging shard summaries given as (iteration, shard, failures, verdicts).</summary>
    static CampaignState State(string campaign, CampaignStatus status, params (int Iteration, int Shard, double Failures, double Verdicts)[] judging)
    {
        var state = new CampaignState { CampaignId = campaign, Status = status };
        foreach (var (iteration, shard, failures, verdicts) in judging)
        {
            var summaries = state.Iteration(iteration).ShardSummaries;
            if (!summaries.TryGetValue(CampaignStage.Judging.Name(), out var shards))
                summaries[CampaignStage.Judging.Name()] = shards = [];
            shards[shard] = new() { ["parse_failures"] = failures, ["judge_samples"] = verdicts };
        }
        return state;
    }

    /// <summary>Writes state.json through the orchestrator's own store.</summary>
    Task WriteStateAsync(CampaignState state) => new CampaignStateStore(_store).CreateAsync(state);

    [Fact]
    public async Task LoadAsync_EvaluationsDefinitionAndState_IterationsInNumericOrderWithRecipeAndStatus()
    {
        foreach (var iteration in new[] { 10, 0, 2, 1 })
            await WriteEvaluationAsync(_store, "c1", iteration, [Metrics("easy", iteration), Metrics("hard", iteration)]);
        await CampaignFiles.WriteDefinitionAsync(_store, "c1", CampaignDefinition.LoadBuiltIn("intuitor") with { Iterations = 10, PromptsPerIteration = 64 });
        var state = State("c1", CampaignStatus.Running, (2, 0, 3, 40), (2, 1, 1, 40), (1, 0, 7, 40));
        state.Iteration(1).ShardSummaries[CampaignStage.Pairs.Name()] = new() { [0] = new() { ["pairs"] = 5 } };
        state.Iteration(3).ShardSummaries[CampaignStage.Scoring.Name()] = new() { [0] = new() { ["rollouts"] = 8 } };
        await WriteStateAsync(state);
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

    [Theory]
    [InlineData("""{"accuracy":1}""")]
    [InlineData("""[{"difficulty":"easy"}]""")]
    public async Task LoadAsync_EvaluationNotAnEvaluationReport_ThrowsNamingKey(string json)
    {
        await _store.PutAsync(CampaignKeys.Evaluation("c3", 0), new MemoryStream(Encoding.UTF8.GetBytes(json)));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => CampaignReport.LoadAsync(_store, "c3"));

        Assert.StartsWith("campaigns/c3/iter-0/evaluation.json:", error.Message);
    }

    [Fact]
    public async Task LoadAsync_UndefinedAuroc_ReadsNaN()
    {
        await WriteEvaluationAsync(_store, "c5", 0, [Metrics("easy", 0, auroc: double.NaN)]);

        var metrics = Assert.Single(Assert.Single((await CampaignReport.LoadAsync(_store, "c5")).Iterations).Difficulties);

        Assert.True(double.IsNaN(metrics.SelfCertaintyAuroc));
        Assert.Equal(0.4, metrics.GreedyAccuracy);
    }

    [Fact]
    public async Task Markdown_SelfCorrectionAndSampleJudge_TablesOnlyWhereMeasured()
    {
        await WriteEvaluationAsync(_store, "c6", 0, [Metrics("d2s3", 0) with
        {
            SelfCorrection = new SelfCorrectionMetrics(0.30, 0.35, 0.05, 0.08, 0.03),
            SampleJudgeAccuracy = 0.62,
            SampleJudgeAuroc = 0.57,
        }]);
        await WriteEvaluationAsync(_store, "c6", 1, [Metrics("d2s3", 1)]);

        var report = await CampaignReport.LoadAsync(_store, "c6");
        string markdown = CampaignReportWriter.Markdown(report);

        var first = Assert.Single(report.Iterations[0].Difficulties);
        Assert.Equal(0.05, first.SelfCorrection!.Delta);
        Assert.Contains("| d2s3 | 0.300 | 0.350 | +0.050 | 0.080 | 0.030 |", markdown, StringComparison.Ordinal);
        Assert.Contains("| d2s3 | 0.620 | 0.570 |", markdown, StringComparison.Ordinal);
        // Iteration 1 measured neither: one table of each in all.
        Assert.Single(markdown.Split('\n'), l => l.StartsWith("| difficulty | Acc@t1", StringComparison.Ordinal));
        Assert.Single(markdown.Split('\n'), l => l.StartsWith("| difficulty | judge acc. on samples", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LoadAsync_StateNotJson_StatusUnknownWithANote()
    {
        await WriteEvaluationAsync(_store, "c6", 0, [Metrics("easy", 0)]);
        await _store.WriteDocumentAsync(CampaignKeys.State("c6"), "not json"u8.ToArray(), null);

        var report = await CampaignReport.LoadAsync(_store, "c6");

        Assert.Null(report.Status);
        Assert.Empty(report.JudgeParseFailures);
        Assert.StartsWith("campaigns/c6/state.json is not a readable state document:", Assert.Single(report.Notes));
    }

    [Fact]
    public async Task Write_ThreeIterations_MarkdownJsonAndOnePlotPerMetricWithALinePerDifficulty()
    {
        for (var iteration = 0; iteration < 3; iteration++)
            await WriteEvaluationAsync(_store, "c4", iteration, [Metrics("easy", iteration), Metrics("hard", iteration, auroc: double.NaN)]);
        await WriteStateAsync(State("c4", CampaignStatus.Completed, (1, 0, 12, 64), (2, 0, 9, 64)));
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
