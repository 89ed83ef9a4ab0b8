// The acceptance tests of the distributed campaign (issue #5) on the real RabbitMQ and Azurite of infra/servers.sh:
// every stage is a separate `pipeline worker` process, campaigns are started and watched through the CLI, and workers
// or the broker are killed at the awkward moments. Each test has its own virtual host and blob container.
// Needs `infra/servers.sh start` (and root, for the broker restart's rabbitmqctl); run them alone with
// `dotnet test tests/Pipeline.Cli.Tests -c Release --filter FullyQualifiedName~EndToEnd`.
using System.Text;
using System.Text.Json.Nodes;
using Pipeline.Contracts;
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Work;
using Xunit.Abstractions;

namespace Pipeline.Cli.Tests.EndToEnd;

[Trait("Category", "Integration")]
[Collection(EndToEndCollection.Name)]
public sealed class CampaignEndToEndTests(ITestOutputHelper log)
{
    const int Iterations = 2;
    const int Shards = 2;
    const int Samples = 4;
    static readonly TimeSpan CampaignLimit = TimeSpan.FromMinutes(5);
    static readonly TimeSpan StepLimit = TimeSpan.FromMinutes(2);

    // intuitor: generation -> scoring -> GRPO update, then evaluation (hosted by the generation worker).
    static readonly string[] IntuitorWorkers = ["orchestrator", "generation", "scoring", "update"];

    /// <summary>A tiny two-iteration intuitor campaign: 2 shards, a few update steps in at least two chunks.</summary>
    static string Campaign(int promptsPerIteration = 8, int maxNewTokens = 16, int steps = 4, int stepsPerChunk = 2, string backend = "managed") => $$"""
        {
          "recipe": "intuitor",
          "backend": "{{backend}}",
          "seed": 7,
          "iterations": {{Iterations}},
          "promptsPerIteration": {{promptsPerIteration}},
          "shards": {{Shards}},
          "samplesPerPrompt": {{Samples}},
          "maxNewTokens": {{maxNewTokens}},
          "scoring": { "batchSize": 16 },
          "update": { "steps": {{steps}}, "stepsPerChunk": {{stepsPerChunk}}, "promptsPerStep": 4, "microBatchSize": 16 },
          "evaluation": { "problemsPerDifficulty": 2, "samples": 1, "difficulties": ["d2s1"] }
        }
        """;

    static string Id(string purpose) => $"{purpose}-{Guid.NewGuid():N}"[..(purpose.Length + 9)];

    [Fact]
    public async Task CampaignStart_EveryStageASeparateProcess_CompletesBothIterations()
    {
        await using var cluster = await CampaignCluster.CreateAsync("full", log);
        var workers = await cluster.StartWorkersAsync(IntuitorWorkers);
        var id = Id("full");
        var json = Campaign();
        await cluster.StartCampaignAsync(cluster.WriteCampaignFile("campaign.json", json), id);

        var status = await cluster.WaitForCompletionAsync(id, CampaignLimit);

        Assert.Equal(Iterations + 1, (int?)status["currentIteration"]);
        Assert.Empty(Failures(status));
        for (var n = 0; n <= Iterations; n++)
        {
            Assert.True(await cluster.Store.ExistsAsync(CampaignKeys.Evaluation(id, n)), $"evaluation of iteration {n}");
            Assert.NotNull(Iteration(status, n)?["evaluation"]);
            await cluster.Checkpoints.ResolveAsync(CampaignKeys.Policy(id, n));
        }
        for (var n = 1; n <= Iterations; n++)
        {
            foreach (var stage in new[] { CampaignStage.Generation, CampaignStage.Scoring })
            {
                Assert.Equal(Shards, (int?)Iteration(status, n)?["stages"]?[stage.Name()]?["done"]);
                for (var shard = 0; shard < Shards; shard++)
                    Assert.True(await cluster.Store.ExistsAsync(CampaignKeys.ShardOutput(id, n, stage, shard)), $"{stage.Name()} shard {shard} of iteration {n}");
            }
            await AssertShardRolloutsAsync(cluster, CampaignDefinition.Parse(json), id, n);
        }
        // Each stage ran in its own process, and none of them died on the way.
        Assert.All(workers.Values, w => Assert.False(w.HasExited, $"{w.Name} exited.\n{w.Describe()}"));
    }

    [Fact]
    public async Task CampaignStart_ScoreEveryStageASeparateProcess_TwoAttemptsPerSampleAndSelfCorrectionFigures()
    {
        // score: generation (both attempts) -> judging (the verifier) -> SCoRe update; evaluation with the second attempt.
        await using var cluster = await CampaignCluster.CreateAsync("score", log);
        var workers = await cluster.StartWorkersAsync(["orchestrator", "generation", "judging", "update"]);
        var id = Id("score");
        var json = $$"""
            {
              "recipe": "score",
              "seed": 7,
              "iterations": {{Iterations}},
              "promptsPerIteration": 8,
              "shards": {{Shards}},
              "samplesPerPrompt": {{Samples}},
              "maxNewTokens": 16,
              "update": { "steps": 4, "stepsPerChunk": 2, "stageOneSteps": 2, "promptsPerStep": 4, "microBatchSize": 16 },
              "evaluation": { "problemsPerDifficulty": 2, "samples": 1, "difficulties": ["d2s1"] }
            }
            """;
        await cluster.StartCampaignAsync(cluster.WriteCampaignFile("campaign.json", json), id);

        var status = await cluster.WaitForCompletionAsync(id, CampaignLimit);

        Assert.Empty(Failures(status));
        Assert.Equal(Iterations + 1, (int?)status["currentIteration"]);
        var definition = CampaignDefinition.Parse(json);
        for (var n = 1; n <= Iterations; n++)
        {
            for (var shard = 0; shard < Shards; shard++)
            {
                var key = CampaignKeys.ShardOutput(id, n, CampaignStage.Judging, shard);
                var rollouts = ShardStore.ParseLines<Rollout>(key, await cluster.ReadAsync(key));
                int expected = CampaignPrompts.Shard(definition, n, shard).Count * Samples;
                Assert.Equal(expected, rollouts.Count(r => r.Attempt == 1));
                Assert.Equal(expected, rollouts.Count(r => r.Attempt == 2));
                Assert.All(rollouts, r => Assert.True(r.Scores.ContainsKey(ScoreNames.Verifier)));
            }
        }
        for (var n = 0; n <= Iterations; n++)
        {
            var evaluation = await EvaluationWork.TryReadAsync(cluster.Store, CampaignKeys.Evaluation(id, n));
            var figures = Assert.Single(evaluation!.Difficulties).SelfCorrection;
            Assert.NotNull(figures);
            Assert.Equal(figures.SecondAttemptAccuracy - figures.FirstAttemptAccuracy, figures.Delta, 12);
        }
        Assert.All(workers.Values, w => Assert.False(w.HasExited, $"{w.Name} exited.\n{w.Describe()}"));
    }

    [Fact]
    public async Task CampaignStart_TorchBackendEveryStageASeparateProcess_CompletesBothIterationsOnLibtorch()
    {
        await using var cluster = await CampaignCluster.CreateAsync("torch", log);
        cluster.Environment["Torch__Threads"] = "1";
        var workers = await cluster.StartWorkersAsync(IntuitorWorkers);
        var id = Id("torch");
        await cluster.StartCampaignAsync(cluster.WriteCampaignFile("campaign.json", Campaign(backend: "torch")), id);

        var status = await cluster.WaitForCompletionAsync(id, CampaignLimit);

        Assert.Equal(Iterations + 1, (int?)status["currentIteration"]);
        Assert.Empty(Failures(status));
        for (var n = 0; n <= Iterations; n++)
        {
            Assert.NotNull(Iteration(status, n)?["evaluation"]);
            await cluster.Checkpoints.ResolveAsync(CampaignKeys.Policy(id, n));
        }
        // The workers that run models have libtorch mapped: they sampled, evaluated and trained on it.
        foreach (var stage in new[] { "generation", "update" })
        {
            var worker = workers[stage];
            Assert.False(worker.HasExited, $"{worker.Name} exited.\n{worker.Describe()}");
            Assert.Contains("libtorch_cpu.so", File.ReadAllText($"/proc/{worker.Id}/maps"));
        }
    }

    [Fact]
    public async Task GenerationWorker_KilledMidShard_RestartedCampaignCompletesWithEveryRolloutOnce()
    {
        await using var cluster = await CampaignCluster.CreateAsync("genkill", log);
        await cluster.StartWorkersAsync("orchestrator", "scoring", "update");
        var id = Id("genkill");
        // Longer responses and more prompts, so that a shard takes long enough to be caught in the middle.
        var json = Campaign(promptsPerIteration: 16, maxNewTokens: 48);
        await cluster.StartCampaignAsync(cluster.WriteCampaignFile("campaign.json", json), id);
        await cluster.WaitUntilAsync(async () => await cluster.ReadyAsync("generation") == Shards, StepLimit,
            "both generation commands of iteration 1 wait in the queue");

        var generation = await cluster.StartWorkerAsync("generation");
        // Prefetch is 1: one shard leaves the ready count when the worker takes it, the other waits.
        await cluster.WaitUntilAsync(async () => await cluster.ReadyAsync("generation") == Shards - 1, StepLimit,
            "the generation worker took a shard");
        var outputsBefore = await GenerationOutputsAsync(cluster, id, 1);
        cluster.Kill(generation);
        var outputsAtKill = await GenerationOutputsAsync(cluster, id, 1);
        Assert.True(outputsBefore == 0 && outputsAtKill == 0,
            $"The worker finished its shard before it was killed ({outputsAtKill} output(s)); the shard is too small to kill mid-way.\n{generation.Describe()}");
        // The unacknowledged command went back to the queue with the connection: nothing was lost, nothing acknowledged.
        await cluster.WaitUntilAsync(async () => await cluster.ReadyAsync("generation") == Shards, StepLimit,
            "the killed worker's shard is back in the queue");

        await cluster.StartWorkerAsync("generation");
        await cluster.WaitForCompletionAsync(id, CampaignLimit);

        var definition = CampaignDefinition.Parse(json);
        for (var n = 1; n <= Iterations; n++)
            await AssertShardRolloutsAsync(cluster, definition, id, n);
    }

    [Fact]
    public async Task UpdateWorker_KilledMidUpdate_FinalPolicyBitwiseEqualToUninterruptedRun()
    {
        await using var cluster = await CampaignCluster.CreateAsync("updkill", log);
        await cluster.StartWorkersAsync("orchestrator", "generation", "scoring");
        var update = await cluster.StartWorkerAsync("update");
        // Three chunks: the worker dies after the first chunk's trainer state is saved, with more than one chunk to go.
        var file = cluster.WriteCampaignFile("campaign.json", Campaign(steps: 6, stepsPerChunk: 2));

        var reference = Id("reference");
        await cluster.StartCampaignAsync(file, reference);
        await cluster.WaitForCompletionAsync(reference, CampaignLimit);

        var crashed = Id("crashed");
        await cluster.StartCampaignAsync(file, crashed);
        var chunk0 = CampaignKeys.UpdateChunk(crashed, 1, 0) + "manifest.json";
        await cluster.WaitUntilAsync(() => cluster.Store.ExistsAsync(chunk0), CampaignLimit, "chunk 0 of iteration 1's update is saved");
        cluster.Kill(update);
        // Whether chunk 1 was being trained or not yet sent is a matter of timing; either way the next worker must
        // continue from chunk 0's saved state. The log says which it was.
        cluster.Log($"at the kill: chunk 1 saved {await cluster.Store.ExistsAsync(CampaignKeys.UpdateChunk(crashed, 1, 1) + "manifest.json")}, "
            + $"update commands ready {await cluster.ReadyAsync("update")}");
        Assert.False(await cluster.Store.ExistsAsync(CampaignKeys.UpdateChunk(crashed, 1, 2) + "manifest.json"),
            "The last chunk was already saved when the update worker was killed.");
        Assert.False(await cluster.Store.ExistsAsync(CampaignKeys.Policy(crashed, 1) + "manifest.json"),
            "The policy of iteration 1 already existed when the update worker was killed.");

        await cluster.StartWorkerAsync("update");
        await cluster.WaitForCompletionAsync(crashed, CampaignLimit);

        for (var n = 1; n <= Iterations; n++)
        {
            var expected = await cluster.CheckpointFileHashAsync(CampaignKeys.Policy(reference, n), "model.safetensors");
            var actual = await cluster.CheckpointFileHashAsync(CampaignKeys.Policy(crashed, n), "model.safetensors");
            Assert.True(expected == actual, $"Iteration {n}: model.safetensors SHA-256 {actual} after the crash, {expected} without it.");
        }
        // The base model is the same file in both, so equal hashes above are not trivially the base's.
        Assert.NotEqual(await cluster.CheckpointFileHashAsync(CampaignKeys.Policy(reference, 0), "model.safetensors"),
            await cluster.CheckpointFileHashAsync(CampaignKeys.Policy(reference, Iterations), "model.safetensors"));
    }

    [Fact]
    public async Task RabbitMq_RestartedMidCampaign_WorkersReconnectAndCampaignCompletes()
    {
        await using var cluster = await CampaignCluster.CreateAsync("mqrestart", log);
        var workers = await cluster.StartWorkersAsync(IntuitorWorkers);
        var id = Id("mqrestart");
        await cluster.StartCampaignAsync(cluster.WriteCampaignFile("campaign.json", Campaign()), id);
        await cluster.WaitForStatusAsync(id, s => (int?)Iteration(s, 1)?["stages"]?["generation"]?["done"] >= 1, StepLimit,
            "iteration 1 generation under way");

        // The broker is shared with other test runs: the outage is kept to about ten seconds.
        await BrokerControl.StopAppAsync();
        cluster.Log("rabbitmq application stopped");
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(10));
        }
        finally
        {
            await BrokerControl.StartAppAsync();
            await BrokerControl.AwaitStartupAsync();
            cluster.Log("rabbitmq application started");
        }

        var status = await cluster.WaitForCompletionAsync(id, CampaignLimit);

        Assert.Empty(Failures(status));
        Assert.All(workers.Values, w => Assert.False(w.HasExited, $"{w.Name} did not survive the broker restart.\n{w.Describe()}"));
    }

    [Fact]
    public async Task MissingCheckpoint_GenerationFailsToErrorQueue_StageRetryAfterRestoreCompletes()
    {
        await using var cluster = await CampaignCluster.CreateAsync("poison", log);
        await cluster.StartWorkersAsync("orchestrator", "scoring", "update");
        var id = Id("poison");
        await cluster.StartCampaignAsync(cluster.WriteCampaignFile("campaign.json", Campaign()), id);
        await cluster.WaitUntilAsync(async () => await cluster.ReadyAsync("generation") == Shards, StepLimit,
            "both generation commands of iteration 1 wait in the queue");

        // The cause: the base checkpoint's weights disappear before any worker has read them.
        var weightsKey = CampaignKeys.Policy(id, 0) + "model.safetensors";
        var weights = await cluster.ReadAsync(weightsKey);
        Assert.True(await cluster.Store.DeleteAsync(weightsKey));
        await cluster.StartWorkerAsync("generation");

        var failed = await cluster.WaitForStatusAsync(id, s => Iteration(s, 1)?["stages"]?["generation"]?["failures"]?.AsArray().Count == Shards,
            StepLimit, "both generation shards failed");
        await cluster.WaitUntilAsync(async () => await cluster.ReadyAsync("generation_error") == Shards, StepLimit,
            "both generation commands are in generation_error");
        Assert.Equal(0, (int?)Iteration(failed, 1)?["stages"]?["generation"]?["done"]);
        Assert.Equal("running", (string?)failed["status"]);
        var (statusExit, statusText, statusError) = await cluster.RunCliAsync("campaign", "status", id);
        Assert.True(statusExit == 0, statusError);
        for (var shard = 0; shard < Shards; shard++)
            Assert.Contains($"failed: iteration 1 generation shard {shard}", statusText);
        var reason = (string?)Iteration(failed, 1)!["stages"]!["generation"]!["failures"]![0]!["message"];
        Assert.False(string.IsNullOrWhiteSpace(reason));
        Assert.Contains(reason!.ReplaceLineEndings(" "), statusText.ReplaceLineEndings(" "));
        Assert.Contains("model.safetensors", reason);
        cluster.Log($"failure reason shown: {reason}");

        // The fix, then the operator's retry. Evaluation of the base model shares the worker and the checkpoint, so
        // it may have failed the same way; its error queue is retried too.
        await cluster.Store.PutAsync(weightsKey, new MemoryStream(weights));
        var (retryExit, retryOutput, retryError) = await cluster.RunCliAsync("stage", "retry", "--stage", "generation");
        Assert.True(retryExit == 0, retryError);
        Assert.Contains($"moved {Shards} message(s) from generation_error to generation", retryOutput);
        if (await cluster.ReadyAsync("evaluation_error") is > 0)
        {
            var (evaluationExit, evaluationOutput, evaluationError) = await cluster.RunCliAsync("stage", "retry", "--stage", "evaluation");
            Assert.True(evaluationExit == 0, evaluationError);
            cluster.Log(evaluationOutput.Trim());
        }

        var status = await cluster.WaitForCompletionAsync(id, CampaignLimit);

        Assert.Empty(Failures(status));
        Assert.Equal(0u, await cluster.ReadyAsync("generation_error"));
    }

    [Fact]
    public async Task RolloutsPeek_ScoringWorkerStopped_ShowsRolloutsAndLeavesQueueDepth()
    {
        await using var cluster = await CampaignCluster.CreateAsync("peek", log);
        await cluster.StartWorkersAsync("orchestrator", "generation");
        var id = Id("peek");
        await cluster.StartCampaignAsync(cluster.WriteCampaignFile("campaign.json", Campaign()), id);
        await cluster.WaitUntilAsync(async () => await cluster.ReadyAsync("scoring") == Shards, StepLimit,
            "both scoring commands of iteration 1 wait in the queue");

        var (exitCode, output, error) = await cluster.RunCliAsync("rollouts", "peek", "--stage", "scoring", "--count", "10", "--json");
        var depthAfterJson = await cluster.ReadyAsync("scoring");
        var (textExit, text, textError) = await cluster.RunCliAsync("rollouts", "peek", "--stage", "scoring");
        var depthAfterText = await cluster.ReadyAsync("scoring");

        Assert.True(exitCode == 0, error);
        Assert.True(textExit == 0, textError);
        Assert.Equal((uint)Shards, depthAfterJson);
        Assert.Equal((uint)Shards, depthAfterText);
        var messages = JsonNode.Parse(output)!.AsArray();
        Assert.Equal(Shards, messages.Count);
        Assert.Contains($"scoring: showing {Shards} message(s)", text);
        foreach (var message in messages)
        {
            Assert.Equal("ScoreRollouts", (string?)message!["messageType"]);
            var body = message["message"]!;
            Assert.Equal(id, (string?)body["campaignId"]);
            var shard = (int)body["shard"]!;
            var key = CampaignKeys.ShardOutput(id, 1, CampaignStage.Generation, shard);
            var stored = ShardStore.ParseLines<Rollout>(key, await cluster.ReadAsync(key));
            var shown = body["rollouts"]?.AsArray() ?? throw new InvalidOperationException($"Shard {shard}'s rollouts are not inline: {body.ToJsonString()}");
            Assert.Equal(stored.Count, shown.Count);
            Assert.Equal(stored.Select(r => ((string?)r.PromptId, (int?)r.Sample, (string?)r.Response)),
                shown.Select(r => ((string?)r!["promptId"], (int?)r["sample"], (string?)r["response"])));
            Assert.Contains(stored[0].PromptId, text);
        }

        // The peeked messages are still there to be consumed.
        await cluster.StartWorkerAsync("scoring");
        await cluster.WaitForStatusAsync(id, s => (int?)Iteration(s, 1)?["stages"]?["scoring"]?["done"] == Shards, StepLimit,
            "iteration 1 scored");
    }

    static JsonNode? Iteration(JsonNode status, int iteration) =>
        status["iterationStates"]?.AsArray().FirstOrDefault(i => (int?)i?["iteration"] == iteration);

    static List<string> Failures(JsonNode status) =>
        (from iteration in status["iterationStates"]!.AsArray()
         from stage in iteration!["stages"]!.AsObject()
         from failure in stage.Value!["failures"]!.AsArray()
         select $"iteration {iteration["iteration"]} {stage.Key}: {failure!.ToJsonString()}").ToList();

    static async Task<int> GenerationOutputsAsync(CampaignCluster cluster, string id, int iteration)
    {
        var count = 0;
        for (var shard = 0; shard < Shards; shard++)
            if (await cluster.Store.ExistsAsync(CampaignKeys.ShardOutput(id, iteration, CampaignStage.Generation, shard))) count++;
        return count;
    }

    /// <summary>Each generation shard holds exactly its prompts × samples, each (prompt, sample) once.</summary>
    static async Task AssertShardRolloutsAsync(CampaignCluster cluster, CampaignDefinition definition, string id, int iteration)
    {
        for (var shard = 0; shard < Shards; shard++)
        {
            var key = CampaignKeys.ShardOutput(id, iteration, CampaignStage.Generation, shard);
            var lines = ShardStore.ParseLines<Rollout>(key, await cluster.ReadAsync(key));
            var expected = CampaignPrompts.Shard(definition, iteration, shard)
                .SelectMany(p => Enumerable.Range(0, definition.SamplesPerPrompt).Select(s => (p.Id, s)))
                .OrderBy(k => k.Id, StringComparer.Ordinal).ThenBy(k => k.s).ToList();
            var actual = lines.Select(l => (l.PromptId, l.Sample))
                .OrderBy(k => k.Item1, StringComparer.Ordinal).ThenBy(k => k.Item2).ToList();
            Assert.True(expected.SequenceEqual(actual),
                $"Iteration {iteration} shard {shard}: expected {expected.Count} rollouts (prompts × {definition.SamplesPerPrompt}), each once; "
                + $"got {actual.Count}: {string.Join(", ", actual.GroupBy(k => k).Where(g => g.Count() > 1).Select(g => $"{g.Key} ×{g.Count()}"))}");
        }
    }
}
