// The reconcile rules on plain values: what is due for each combination of stored outputs, that nothing is sent twice
// unless a resume asks, that a trainer which died between its last chunk and the policy is sent the chunk again, and
// that cancelled campaigns get nothing.
using Pipeline.Contracts;
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Orchestration;
using Pipeline.Storage.Checkpoints;

namespace Pipeline.Stages.Tests.Orchestration;

public sealed class CampaignPlannerTests
{
    const string Id = "plan-test";
    static readonly DateTimeOffset Now = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    // rlsf: generation -> scoring -> pairs -> update; 2 shards, 2 chunks, 2 iterations.
    static readonly CampaignDefinition Definition = CampaignDefinition.LoadBuiltIn("rlsf") with
    {
        Iterations = 2,
        Shards = 2,
        Update = new UpdateSettings { Steps = 4, StepsPerChunk = 2 },
    };

    static CheckpointReference Policy(int n) => new(CampaignKeys.Policy(Id, n), new string((char)('a' + n), 64));

    static CampaignSnapshot Snapshot(IEnumerable<string> keys, params int[] policies) =>
        new(Id, keys.ToHashSet(), policies.ToDictionary(n => n, Policy));

    static string Shard(int n, CampaignStage stage, int k) => CampaignKeys.ShardOutput(Id, n, stage, k);

    static string Chunk(int n, int j) => CampaignKeys.UpdateChunk(Id, n, j) + CheckpointStore.ManifestName;

    static IEnumerable<string> AllShards(int n, params CampaignStage[] stages) =>
        from stage in stages from k in Enumerable.Range(0, 2) select Shard(n, stage, k);

    static CampaignState NewState() => new() { CampaignId = Id, Iterations = 2 };

    [Fact]
    public void Plan_FreshCampaign_EvaluatesBaseAndGeneratesEveryShard()
    {
        var state = NewState();

        var intents = CampaignPlanner.Plan(Definition, state, Snapshot([], 0), redispatch: false, Now);

        Assert.Equal(
            [new DispatchIntent(0, CampaignStage.Evaluation, 0), new DispatchIntent(1, CampaignStage.Generation, 0), new DispatchIntent(1, CampaignStage.Generation, 1)],
            intents.OrderBy(i => i.Iteration).ThenBy(i => i.Stage).ThenBy(i => i.Shard));
        Assert.Equal(1, state.CurrentIteration);
        Assert.Equal([0, 1], state.Iteration(1).Stage("generation").Dispatched);
    }

    [Fact]
    public void Plan_SecondTimeWithNothingNew_SendsNothing()
    {
        var state = NewState();
        CampaignPlanner.Plan(Definition, state, Snapshot([], 0), false, Now);

        var intents = CampaignPlanner.Plan(Definition, state, Snapshot([], 0), false, Now);

        Assert.Empty(intents);
    }

    [Fact]
    public void Plan_Redispatch_SendsUnfinishedWorkAgainButNotFinishedWork()
    {
        var state = NewState();
        CampaignPlanner.Plan(Definition, state, Snapshot([], 0), false, Now);
        var keys = new[] { Shard(1, CampaignStage.Generation, 0) };
        CampaignPlanner.Plan(Definition, state, Snapshot(keys, 0), false, Now);

        var intents = CampaignPlanner.Plan(Definition, state, Snapshot(keys, 0), redispatch: true, Now);

        Assert.Equal(
            [new DispatchIntent(0, CampaignStage.Evaluation, 0), new DispatchIntent(1, CampaignStage.Generation, 1), new DispatchIntent(1, CampaignStage.Scoring, 0)],
            intents.OrderBy(i => i.Iteration).ThenBy(i => i.Stage).ThenBy(i => i.Shard));
    }

    [Fact]
    public void Plan_ShardOutputs_WalkTheRecipeChainPerShard()
    {
        var state = NewState();
        var keys = new[] { Shard(1, CampaignStage.Generation, 0), Shard(1, CampaignStage.Scoring, 0), Shard(1, CampaignStage.Generation, 1) };

        var intents = CampaignPlanner.Plan(Definition, state, Snapshot(keys, 0), false, Now);

        Assert.Contains(new DispatchIntent(1, CampaignStage.Pairs, 0), intents);
        Assert.Contains(new DispatchIntent(1, CampaignStage.Scoring, 1), intents);
        Assert.DoesNotContain(intents, i => i.Stage == CampaignStage.Update);
        Assert.Equal(2, state.Iteration(1).Stage("generation").Done);
        Assert.Equal(1, state.Iteration(1).Stage("scoring").Done);
    }

    [Fact]
    public void Plan_AllPairsPresent_SendsFirstChunkThenNextChunkOnceSaved()
    {
        var state = NewState();
        var keys = AllShards(1, CampaignStage.Generation, CampaignStage.Scoring, CampaignStage.Pairs).ToList();

        var first = CampaignPlanner.Plan(Definition, state, Snapshot(keys, 0), false, Now);
        keys.Add(Chunk(1, 0));
        var second = CampaignPlanner.Plan(Definition, state, Snapshot(keys, 0), false, Now);

        Assert.Contains(new DispatchIntent(1, CampaignStage.Update, 0), first);
        Assert.DoesNotContain(new DispatchIntent(1, CampaignStage.Update, 1), first);
        Assert.Contains(new DispatchIntent(1, CampaignStage.Update, 1), second);
        Assert.Equal(2, state.Iteration(1).Stage("update").Total);
    }

    [Fact]
    public void Plan_LastChunkSavedButNoPolicy_SendsLastChunkAgain()
    {
        var state = NewState();
        var keys = AllShards(1, CampaignStage.Generation, CampaignStage.Scoring, CampaignStage.Pairs).Append(Chunk(1, 0)).Append(Chunk(1, 1)).ToList();

        var intents = CampaignPlanner.Plan(Definition, state, Snapshot(keys, 0), false, Now);

        Assert.Contains(new DispatchIntent(1, CampaignStage.Update, 1), intents);
        Assert.Equal(1, state.Iteration(1).Stage("update").Done);
    }

    [Fact]
    public void Plan_PolicyExists_EvaluatesItAndStartsNextIteration()
    {
        var state = NewState();
        var keys = AllShards(1, CampaignStage.Generation, CampaignStage.Scoring, CampaignStage.Pairs).Append(Chunk(1, 0)).Append(Chunk(1, 1))
            .Append(CampaignKeys.Evaluation(Id, 0)).ToList();

        var intents = CampaignPlanner.Plan(Definition, state, Snapshot(keys, 0, 1), false, Now);

        Assert.Equal(
            [new DispatchIntent(1, CampaignStage.Evaluation, 0), new DispatchIntent(2, CampaignStage.Generation, 0), new DispatchIntent(2, CampaignStage.Generation, 1)],
            intents.OrderBy(i => i.Iteration).ThenBy(i => i.Stage).ThenBy(i => i.Shard));
        Assert.Equal(2, state.CurrentIteration);
        Assert.Equal(Policy(1), state.Iteration(2).StartPolicy);
        Assert.Equal(2, state.Iteration(1).Stage("update").Done);
    }

    [Fact]
    public void Plan_EveryEvaluationStored_CompletesAndClearsFailures()
    {
        var state = NewState();
        state.Iteration(2).Stage("evaluation").Failures.Add(new StageFailure(0, "boom", Now));
        var keys = Enumerable.Range(0, 3).Select(n => CampaignKeys.Evaluation(Id, n));

        var intents = CampaignPlanner.Plan(Definition, state, Snapshot(keys, 0, 1, 2), false, Now);

        Assert.Empty(intents);
        Assert.Equal(CampaignStatus.Completed, state.Status);
        Assert.Equal(Now, state.CompletedAt);
        Assert.Empty(state.Failures());
        Assert.Equal(3, state.CurrentIteration);
    }

    [Fact]
    public void Plan_Cancelled_RefreshesProgressButSendsNothing()
    {
        var state = NewState();
        state.Status = CampaignStatus.Cancelled;

        var intents = CampaignPlanner.Plan(Definition, state, Snapshot([Shard(1, CampaignStage.Generation, 0)], 0), redispatch: true, Now);

        Assert.Empty(intents);
        Assert.Equal(1, state.Iteration(1).Stage("generation").Done);
        Assert.Empty(state.Iteration(1).Stage("generation").Dispatched);
        Assert.Equal(CampaignStatus.Cancelled, state.Status);
    }

    [Fact]
    public void Plan_FailedUnit_StaysFailedAndIsNotSentAgainUntilItsOutputExists()
    {
        var state = NewState();
        CampaignPlanner.Plan(Definition, state, Snapshot([], 0), false, Now);
        state.Iteration(1).Stage("generation").Failures.Add(new StageFailure(1, "boom", Now));

        var again = CampaignPlanner.Plan(Definition, state, Snapshot([], 0), false, Now);
        var after = CampaignPlanner.Plan(Definition, state, Snapshot([Shard(1, CampaignStage.Generation, 1)], 0), false, Now);

        Assert.Empty(again);
        Assert.Contains(new DispatchIntent(1, CampaignStage.Scoring, 1), after);
        Assert.Empty(state.Failures());
    }
}
