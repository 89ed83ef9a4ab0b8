// Chaos on the distributed campaign: two worker processes per stage on the real RabbitMQ and an Azurite of the test's own,
// SIGKILLs of workers of every stage (orchestrator and update included) at seeded random moments while the campaign runs,
// one broker restart and one Azurite restart. The campaign must complete with every rollout stored exactly once and
// final weights bit-identical to the embedded run of the same campaign without faults. The seed is printed and can be
// set with PIPELINE_CHAOS_SEED to replay a failure.
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Pipeline.Contracts;
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Work;
using Pipeline.Storage.Tests.AzureBlob;
using Xunit.Abstractions;

namespace Pipeline.Cli.Tests.EndToEnd;

[Trait("Category", "Integration")]
[Collection(EndToEndCollection.Name)]
public sealed class ChaosEndToEndTests(ITestOutputHelper log)
{
    // Long enough that every fault lands while the campaign runs (two iterations were over before the last fault once
    // the workers compiled optimised code from the start).
    const int Iterations = 16;
    static readonly TimeSpan CampaignLimit = TimeSpan.FromMinutes(8);
    static readonly string[] Stages = ["orchestrator", "generation", "scoring", "update"];

    static string Campaign() => $$"""
        {
          "recipe": "intuitor",
          "seed": 11,
          "iterations": {{Iterations}},
          "promptsPerIteration": 16,
          "shards": 4,
          "samplesPerPrompt": 4,
          "maxNewTokens": 16,
          "scoring": { "batchSize": 16 },
          "update": { "steps": 8, "stepsPerChunk": 2, "promptsPerStep": 4, "microBatchSize": 16 },
          "evaluation": { "problemsPerDifficulty": 2, "samples": 1, "difficulties": ["d2s1"] }
        }
        """;

    [Fact]
    public async Task Campaign_WorkersOfEveryStageKilledBrokerAndBlobStoreRestarted_CompletesOnceWithTheEmbeddedRunsWeights()
    {
        int seed = Environment.GetEnvironmentVariable("PIPELINE_CHAOS_SEED") is { Length: > 0 } given
            ? int.Parse(given, CultureInfo.InvariantCulture)
            : 20261206;
        log.WriteLine($"chaos seed {seed} (set PIPELINE_CHAOS_SEED={seed} to replay)");
        var random = new Random(seed);
        await using var azurite = await AzuriteProcess.StartAsync(persistent: true);
        await using var cluster = await CampaignCluster.CreateAsync("chaos", log, BlobTestSettings.ConnectionStringForPort(azurite.Port));
        var file = cluster.WriteCampaignFile("campaign.json", Campaign());

        // The reference: the same campaign embedded, in one process, with nothing going wrong.
        var runs = Path.Combine(cluster.Folder, "embedded");
        using (var embedded = PipelineProcess.Start("embedded run", new Dictionary<string, string>(), cluster.Folder,
            "run", file, "--base-model", TinyBaseModel.Directory, "--runs", runs))
        {
            Assert.True(await embedded.WaitForExitAsync(CampaignLimit), "The embedded run did not finish.\n" + embedded.Describe());
            Assert.True(embedded.ExitCode == 0, embedded.Describe());
        }

        var workers = new List<(string Stage, PipelineProcess Process)>();
        foreach (var stage in Stages)
            for (int copy = 0; copy < 2; copy++)
                workers.Add((stage, await cluster.StartWorkerAsync(stage)));
        var id = "chaos-" + seed.ToString(CultureInfo.InvariantCulture);
        await cluster.StartCampaignAsync(file, id);

        // Every stage is killed at least once, in a seeded order, with the two restarts among the kills.
        var faults = Stages.Concat(Stages.Select(_ => Stages[random.Next(Stages.Length)])).OrderBy(_ => random.Next()).ToList();
        faults.Insert(random.Next(1, faults.Count), "broker");
        faults.Insert(random.Next(1, faults.Count), "azurite");
        // A killed worker's replacement starts in the background (the stage's other worker carries on meanwhile), so the
        // faults land while the campaign is still running.
        var replacements = new List<Task>();
        async Task ReplaceAsync(string stage)
        {
            var worker = await cluster.StartWorkerAsync(stage);
            lock (workers) workers.Add((stage, worker));
        }
        foreach (var fault in faults)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(1000, 3000)));
            Assert.False(await CompletedAsync(cluster, id), $"The campaign completed before the fault '{fault}' could be injected: make it longer.");
            switch (fault)
            {
                case "broker":
                    await BrokerControl.StopAppAsync();
                    cluster.Log("rabbitmq application stopped");
                    await Task.Delay(TimeSpan.FromSeconds(5));
                    await BrokerControl.StartAppAsync();
                    await BrokerControl.AwaitStartupAsync();
                    cluster.Log("rabbitmq application started");
                    break;
                case "azurite":
                    await azurite.StopAsync(graceful: false);
                    cluster.Log("azurite killed");
                    await Task.Delay(TimeSpan.FromSeconds(3));
                    await azurite.StartAsync();
                    cluster.Log("azurite started again");
                    break;
                default:
                    List<(string Stage, PipelineProcess Process)> running;
                    lock (workers) running = workers.Where(w => w.Stage == fault && !w.Process.HasExited).ToList();
                    if (running.Count == 0)
                    {
                        cluster.Log($"no {fault} worker up at this moment; its replacements are still starting");
                        break;
                    }
                    var victim = running[random.Next(running.Count)];
                    cluster.Kill(victim.Process);
                    lock (workers) workers.Remove(victim);
                    replacements.Add(ReplaceAsync(fault));
                    break;
            }
        }
        cluster.Log("every fault injected");
        await Task.WhenAll(replacements);

        var status = await cluster.WaitForCompletionAsync(id, CampaignLimit);

        Assert.Empty(status["iterationStates"]!.AsArray().SelectMany(i => i!["stages"]!.AsObject().SelectMany(s => s.Value!["failures"]!.AsArray())));
        for (int n = 1; n <= Iterations; n++)
        {
            for (int shard = 0; shard < 4; shard++)
            {
                var key = CampaignKeys.ShardOutput(id, n, CampaignStage.Generation, shard);
                var rollouts = ShardStore.ParseLines<Rollout>(key, await cluster.ReadAsync(key));
                Assert.Equal(rollouts.Count, rollouts.Select(r => (r.PromptId, r.Sample)).Distinct().Count());
                Assert.Equal(4 * 4, rollouts.Count);
            }
            var expected = HashOfFile(Path.Combine(EmbeddedPolicy(runs, n), "model.safetensors"));
            var actual = await cluster.CheckpointFileHashAsync(CampaignKeys.Policy(id, n), "model.safetensors");
            Assert.True(expected == actual, $"Iteration {n}: model.safetensors SHA-256 {actual} under chaos, {expected} embedded.");
        }
    }

    static async Task<bool> CompletedAsync(CampaignCluster cluster, string id) =>
        (string?)(await cluster.StatusAsync(id))["status"] == "completed";

    /// <summary>The embedded run's policy folder of iteration <paramref name="n"/> (its one campaign under runs/checkpoints).</summary>
    static string EmbeddedPolicy(string runs, int n) =>
        Path.Combine(Assert.Single(Directory.GetDirectories(Path.Combine(runs, "checkpoints"))), $"iter-{n}");

    static string HashOfFile(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
}
