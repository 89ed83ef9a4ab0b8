// Whole campaigns on the in-memory test harness with the real consumers: a two-iteration campaign completes with every
// output and evaluation in place; a redelivered command re-publishes its event without recomputing; a command that
// faults is recorded as its stage's failure, and a later success clears it.
using MassTransit;
using MassTransit.Testing;
using Pipeline.Contracts;
using Pipeline.Stages;
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Orchestration;
using Pipeline.Stages.Tests.Work;
using Pipeline.Stages.Work;

namespace Pipeline.Stages.Tests.Orchestration;

public sealed class OrchestratorHarnessTests
{
    public static TheoryData<Recipe> Recipes => new(Enum.GetValues<Recipe>());

    [Theory]
    [MemberData(nameof(Recipes))]
    public async Task StartAsync_TwoIterationCampaign_CompletesWithEveryOutputAndEvaluation(Recipe recipe)
    {
        await using var harness = await CampaignHarness.StartAsync();
        var definition = TinyCampaign.Small(recipe);

        var id = await harness.Service.StartAsync(definition, await TinyCampaign.BaseFolder.Value, "harness-e2e");
        var state = await harness.WaitForStateAsync(id, s => s.Status != CampaignStatus.Running || s.Failures().Any());

        Assert.Empty(state.Failures());
        Assert.Equal(CampaignStatus.Completed, state.Status);
        Assert.Equal([0, 1, 2], state.IterationStates.Select(i => i.Iteration));
        Assert.All(state.IterationStates, i => Assert.NotNull(i.Evaluation));
        Assert.All(state.IterationStates.SelectMany(i => i.Stages.Values), s => Assert.Equal(s.Total, s.Done));
        foreach (var n in new[] { 1, 2 })
        {
            foreach (var stage in definition.Chain.ShardStages)
            {
                for (var k = 0; k < definition.Shards; k++)
                    Assert.True(await harness.Store.ExistsAsync(CampaignKeys.ShardOutput(id, n, stage, k)), $"{stage} {n}/{k}");
            }
            Assert.True(await harness.Store.ExistsAsync(CampaignKeys.Policy(id, n) + "manifest.json"));
            Assert.Equal(state.Iteration(n).StartPolicy, n == 1 ? state.Iteration(0).Policy : state.Iteration(n - 1).Policy);
        }
        // Exactly one update per iteration, and every chunk left metrics.
        Assert.Equal(2, harness.Harness.Published.Select<PolicyUpdated>().Count());
        Assert.All(state.IterationStates.Where(i => i.Iteration > 0),
            i => Assert.Equal(Enumerable.Range(0, definition.ChunkCount), i.ChunkMetrics.Keys.Order()));
        // Every stage that ran recorded its compute time, so the campaign's cost per stage can be shown.
        Assert.All(state.IterationStates.Where(i => i.Iteration > 0), i => Assert.Equal(
            [.. definition.Chain.ShardStages.Select(s => s.Name()), "update", "evaluation"],
            i.StageSeconds().Keys.OrderBy(k => StageDefinitions.All.ToList().FindIndex(s => s.Name == k))));
        Assert.All(state.IterationStates.SelectMany(i => i.StageSeconds().Values), seconds => Assert.True(seconds > 0));
    }

    [Fact]
    public async Task GenerateRollouts_Redelivered_RepublishesStoredOutputWithoutRecomputing()
    {
        await using var harness = await CampaignHarness.StartAsync();
        var definition = TinyCampaign.Small(Recipe.Intuitor) with { Iterations = 1 };
        var id = await harness.Service.StartAsync(definition, await TinyCampaign.BaseFolder.Value, "harness-redeliver");
        var state = await harness.WaitForStateAsync(id, s => s.Status != CampaignStatus.Running || s.Failures().Any());
        Assert.Equal(CampaignStatus.Completed, state.Status);
        var key = CampaignKeys.ShardOutput(id, 1, CampaignStage.Generation, 0);
        var file = new FileInfo(Path.Combine(harness.StoreRoot, key));
        var (bytes, written) = (await File.ReadAllBytesAsync(file.FullName), file.LastWriteTimeUtc);
        var before = harness.Harness.Published.Select<RolloutsGenerated>(m => m.Context.Message.Shard == 0).Count();

        var endpoint = await harness.Harness.Bus.GetSendEndpoint(new Uri("queue:generation"));
        await endpoint.Send(new GenerateRollouts(id, 1, 0, state.Iteration(1).StartPolicy!, CampaignPrompts.Shard(definition, 1, 0)));

        using var limit = new CancellationTokenSource(CampaignHarness.WaitLimit);
        while (harness.Harness.Published.Select<RolloutsGenerated>(m => m.Context.Message.Shard == 0).Count() == before)
            await Task.Delay(50, limit.Token);
        var republished = harness.Harness.Published.Select<RolloutsGenerated>(m => m.Context.Message.Shard == 0).Last().Context.Message;
        Assert.Equal(key, republished.RolloutsKey);
        Assert.Equal(definition.SamplesPerPrompt * CampaignPrompts.Shard(definition, 1, 0).Count, republished.Count);
        Assert.Equal(ShardStore.ParseLines<Rollout>(key, bytes).Select(r => r.Response), republished.Rollouts!.Select(r => r.Response));
        file.Refresh();
        Assert.Equal(written, file.LastWriteTimeUtc);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(file.FullName));
        var after = await harness.WaitForStateAsync(id, _ => true);
        Assert.Equal(CampaignStatus.Completed, after.Status);
    }

    [Fact]
    public async Task FaultedCommand_MarksStageFailedWithReason_LaterSuccessClearsIt()
    {
        await using var harness = await CampaignHarness.StartAsync();
        const string id = "harness-fault";
        // A campaign with a file and a state but no base model: the orchestrator dispatches nothing on its own.
        await CampaignFiles.WriteDefinitionAsync(harness.Store, id, TinyCampaign.Small(Recipe.Intuitor));
        await harness.States.CreateAsync(new CampaignState { CampaignId = id, Iterations = 2, CreatedAt = DateTimeOffset.UtcNow });
        var missing = new CheckpointReference(CampaignKeys.Policy(id, 0), new string('0', 64));
        var input = CampaignKeys.ShardOutput(id, 1, CampaignStage.Generation, 0);

        var endpoint = await harness.Harness.Bus.GetSendEndpoint(new Uri("queue:scoring"));
        await endpoint.Send(new ScoreRollouts(id, 1, 0, missing, input, 0, null));
        var failed = await harness.WaitForStateAsync(id, s => s.Failures().Any());

        var (iteration, stage, failure) = Assert.Single(failed.Failures());
        Assert.Equal((1, "scoring", 0), (iteration, stage, failure.Shard));
        Assert.Contains("Exception: ", failure.Message);
        Assert.True(await harness.Harness.Published.Any<Fault<ScoreRollouts>>());

        await harness.Harness.Bus.Publish(new RolloutsScored(id, 1, 0, missing, CampaignKeys.ShardOutput(id, 1, CampaignStage.Scoring, 0), 0, [],
            new Dictionary<string, double>()));
        var cleared = await harness.WaitForStateAsync(id, s => !s.Failures().Any());

        Assert.Equal(CampaignStatus.Running, cleared.Status);
    }
}
