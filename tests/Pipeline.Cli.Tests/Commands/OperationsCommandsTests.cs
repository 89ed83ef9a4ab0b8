// `pipeline queues`, `rollouts peek`, `stage retry` and `report` through the real parser: configuration from a --config
// file, one-line errors with exit code 1 for bad input, and on the real RabbitMQ (a throw-away RabbitMqVirtualHost per
// test class) messages sent by a pipeline bus are peeked without being consumed and moved back from an error queue.
using Pipeline.Testing;
using System.Text.Json.Nodes;
using Pipeline.Contracts;
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Messaging;
using Pipeline.Stages.Orchestration;
using Pipeline.Stages.Tests.Messaging;
using Pipeline.Stages.Work;
using Pipeline.Storage.Folder;
using static Pipeline.Cli.Tests.Commands.CliInvocation;

namespace Pipeline.Cli.Tests.Commands;

[Trait("Category", "Integration")]
public sealed class OperationsCommandsTests : IAsyncLifetime
{
    readonly string _folder = Path.Combine(Path.GetTempPath(), "pipeline-cli-ops-tests", Guid.NewGuid().ToString("N"));
    RabbitMqVirtualHost _broker = null!;
    string _vhost = null!;
    string _config = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _broker = await RabbitMqVirtualHost.CreateAsync("ops-cli");
        _vhost = _broker.Name;
        _config = WriteConfig("config.json", new JsonObject
        {
            ["Bus"] = new JsonObject { ["RabbitMq"] = new JsonObject { ["Host"] = _broker.Broker.Host, ["VirtualHost"] = _vhost } },
            ["Storage"] = new JsonObject { ["Kind"] = "Folder", ["Folder"] = new JsonObject { ["Root"] = Path.Combine(_folder, "store") } },
        });
    }

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    string WriteConfig(string name, JsonObject json)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, json.ToJsonString());
        return path;
    }

    static void AssertOneLineError(int exitCode, string error, string expected)
    {
        Assert.Equal(1, exitCode);
        Assert.Equal($"error: {expected}", error.TrimEnd('\n', '\r'));
    }

    static ScoreRollouts Command(int shard, IReadOnlyList<Rollout>? rollouts, int count) => new("ops-cli", 1, shard,
        new CheckpointReference("checkpoints/ops-cli/iter-0/", "0123456789abcdef"), $"campaigns/ops-cli/iter-1/generation/shard-{shard}.jsonl",
        count, rollouts);

    static Rollout Rollout(int shard, int sample) => TestRollouts.Create($"q{shard}", $"{shard}+{sample}=?", sample, $"answer is {shard + sample}",
        new Dictionary<string, double> { ["answer_confidence"] = 0.875 }, answer: $"{shard + sample}");

    [Fact]
    public void RolloutsPeek_UnknownStage_OneLineErrorNamingTheStages()
    {
        var (exitCode, output, error) = Invoke("rollouts", "peek", "--stage", "training", "--config", _config);

        AssertOneLineError(exitCode, error, "Unknown stage 'training'; the stages are: generation, scoring, judging, pairs, update, evaluation, orchestrator.");
        Assert.Equal("", output);
    }

    [Fact]
    public void Queues_ManagementUnreachable_OneLineErrorNamingAddress()
    {
        var config = WriteConfig("closed.json", new JsonObject
        {
            ["Bus"] = new JsonObject { ["RabbitMq"] = new JsonObject { ["Host"] = "127.0.0.1", ["ManagementPort"] = 1 } },
        });

        var (exitCode, _, error) = Invoke("queues", "--config", config);

        Assert.Equal(1, exitCode);
        Assert.StartsWith("error: RabbitMQ management API at http://127.0.0.1:1/api/ is unreachable", error);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [Fact]
    public void StageRetry_InvalidBusSetting_OneLineErrorNamingKey()
    {
        var config = WriteConfig("bad.json", new JsonObject { ["Bus"] = new JsonObject { ["RabbitMq"] = new JsonObject { ["Port"] = "many" } } });

        var (exitCode, _, error) = Invoke("stage", "retry", "--stage", "scoring", "--config", config);

        AssertOneLineError(exitCode, error, "Invalid bus configuration: Bus:RabbitMq:Port = 'many' must be a whole number from 1 to 65535.");
    }

    [Fact]
    public void Queues_ConfigFileMissing_OneLineError()
    {
        var (exitCode, _, error) = Invoke("queues", "--config", Path.Combine(_folder, "nope.json"));

        AssertOneLineError(exitCode, error, $"Configuration file '{Path.Combine(_folder, "nope.json")}' does not exist.");
    }

    [Fact]
    public void Queues_FreshVirtualHost_EveryStageQueueAndErrorQueueAbsent()
    {
        var (exitCode, output, error) = Invoke("queues", "--json", "--config", _config);

        Assert.Equal(0, exitCode);
        Assert.Equal("", error);
        var root = JsonNode.Parse(output)!;
        Assert.Equal(_vhost, root["virtualHost"]!.GetValue<string>());
        var queues = root["queues"]!.AsArray();
        Assert.Equal(StageQueues.All.SelectMany(s => new[] { s, s + "_error" }), queues.Select(q => q!["queue"]!.GetValue<string>()));
        Assert.All(queues, q => Assert.False(q!["exists"]!.GetValue<bool>()));
    }

    [Fact]
    public async Task RolloutsPeek_InlineAndKeyOnlyRollouts_ShowsThemAndLeavesTheQueueAsItWas()
    {
        var inline = Enumerable.Range(0, 2).Select(i => Rollout(0, i)).ToList();
        var stored = Enumerable.Range(0, 3).Select(i => Rollout(1, i)).ToList();
        var byKey = Command(1, null, stored.Count);
        await new ShardStore(new FolderObjectStore(Path.Combine(_folder, "store"))).WriteAsync(byKey.RolloutsKey, stored, new Dictionary<string, double>());
        await _broker.SendAsync("scoring", Command(0, inline, inline.Count), byKey);

        var (tableExit, table, tableError) = Invoke("rollouts", "peek", "--stage", "scoring", "--config", _config);
        var (jsonExit, json, jsonError) = Invoke("rollouts", "peek", "--stage", "scoring", "--count", "10", "--load", "--json", "--config", _config);
        var (againExit, again, _) = Invoke("rollouts", "peek", "--stage", "scoring", "--count", "10", "--json", "--config", _config);

        Assert.Equal((0, "", 0, ""), (tableExit, tableError, jsonExit, jsonError));
        Assert.Contains("#1 ScoreRollouts", table);
        Assert.Contains("campaign ops-cli  iteration 1  shard 0", table);
        Assert.Contains("answer is 1", table);
        Assert.Contains("answer_confidence=0.875", table);
        Assert.Contains($"3 rollout(s) not inline; stored at {byKey.RolloutsKey} (--load reads them from the store).", table);
        var messages = JsonNode.Parse(json)!.AsArray();
        Assert.Equal(2, messages.Count);
        Assert.Equal(["ScoreRollouts", "ScoreRollouts"], messages.Select(m => m!["messageType"]!.GetValue<string>()));
        Assert.Equal(inline.Select(r => r.Response), messages[0]!["message"]!["rollouts"]!.AsArray().Select(r => r!["response"]!.GetValue<string>()));
        Assert.Null(messages[1]!["message"]!["rollouts"]);
        Assert.Equal(stored.Select(r => r.Response), messages[1]!["loadedRollouts"]!.AsArray().Select(r => r!["response"]!.GetValue<string>()));
        // Peeking consumed nothing: a third look sees the same two messages in the same order.
        Assert.Equal(0, againExit);
        Assert.Equal(messages.Select(m => m!["messageId"]!.GetValue<string>()),
            JsonNode.Parse(again)!.AsArray().Select(m => m!["messageId"]!.GetValue<string>()));
    }

    [Fact]
    public async Task StageRetry_MessagesInErrorQueue_MovesThemAllToTheStageQueue()
    {
        await _broker.SendAsync("judging", Command(5, [Rollout(5, 0)], 1));
        await _broker.SendAsync("judging_error", Command(6, [Rollout(6, 0)], 1), Command(7, [Rollout(7, 0)], 1));

        var (exitCode, output, error) = Invoke("stage", "retry", "--stage", "judging", "--config", _config);
        var (_, peeked, _) = Invoke("rollouts", "peek", "--stage", "judging", "--count", "10", "--json", "--config", _config);
        var (errorExit, errorQueue, errorPeek) = Invoke("rollouts", "peek", "--stage", "judging", "--error", "--json", "--config", _config);

        Assert.Equal(0, exitCode);
        Assert.Equal("", error);
        Assert.Equal("moved 2 message(s) from judging_error to judging", output.TrimEnd());
        Assert.Equal([5, 6, 7], JsonNode.Parse(peeked)!.AsArray().Select(m => m!["message"]!["shard"]!.GetValue<int>()));
        Assert.Equal((0, ""), (errorExit, errorPeek));
        Assert.Empty(JsonNode.Parse(errorQueue)!.AsArray());
    }

    [Fact]
    public async Task Report_CampaignInFolderStore_WritesMarkdownJsonAndPlots()
    {
        var store = new FolderObjectStore(Path.Combine(_folder, "store"));
        for (var iteration = 0; iteration <= 2; iteration++)
        {
            DifficultyMetrics[] metrics =
            [
                new("easy", 40, 0.5 + 0.1 * iteration, 0.55, 0.1, 1.0 + iteration, 0.7, 8, 0.6),
                new("hard", 40, 0.2 + 0.05 * iteration, 0.25, 0.2, 0.8 + iteration, 0.6, 11, 0.5),
            ];
            await EvaluationWork.WriteAsync(store, new EvaluationReport("ops-report", iteration,
                new CheckpointReference(CampaignKeys.Policy("ops-report", iteration), new string('0', 64)), metrics, []));
        }
        var state = new CampaignState { CampaignId = "ops-report", Status = CampaignStatus.Completed };
        foreach (var (iteration, failures) in new[] { (1, 5.0), (2, 2.0) })
            state.Iteration(iteration).ShardSummaries[CampaignStage.Judging.Name()] =
                new() { [0] = new() { ["parse_failures"] = failures, ["judge_samples"] = 32 } };
        await new CampaignStateStore(store).CreateAsync(state);
        var outDir = Path.Combine(_folder, "report");

        var (exitCode, output, error) = Invoke("report", "ops-report", "--out", outDir, "--config", _config);

        Assert.Equal(0, exitCode);
        Assert.Equal("", error);
        Assert.StartsWith($"campaign ops-report: iterations 0, 1, 2; wrote 8 files to {outDir}", output);
        Assert.Contains("<table id=\"evaluation\"", File.ReadAllText(Path.Combine(outDir, "report.html")));
        Assert.Contains("| 1 | 0.600 | 0.250 |", File.ReadAllText(Path.Combine(outDir, "report.md")));
        Assert.Equal(3, JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "report.json")))!["iterations"]!.AsArray().Count);
        Assert.All(["accuracy", "ece", "self-certainty", "response-length", "judge-parse-failures"],
            name => Assert.Contains("<polyline", File.ReadAllText(Path.Combine(outDir, name + ".svg"))));
    }

    [Fact]
    public void Report_CampaignMissing_OneLineErrorExit1()
    {
        var (exitCode, _, error) = Invoke("report", "no-such-campaign", "--out", Path.Combine(_folder, "r"), "--config", _config);

        AssertOneLineError(exitCode, error, "Campaign 'no-such-campaign' not found: the store has nothing under campaigns/no-such-campaign/.");
        Assert.False(Directory.Exists(Path.Combine(_folder, "r")));
    }
}
