// The chunked update's promise: stopping between chunks (another process, a fresh file cache, a chunk re-run after its
// output was lost) ends in the same weights, bit for bit, as running every chunk in one go; and a redelivered chunk
// only reads back what it stored.
using Pipeline.Contracts;
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Work;
using Pipeline.Storage.Checkpoints;
using Pipeline.Storage.Tests;

namespace Pipeline.Stages.Tests.Work;

public sealed class UpdateWorkResumeTests
{
    [Theory]
    [InlineData(Recipe.Intuitor)]
    [InlineData(Recipe.Rlsf)]
    [InlineData(Recipe.SelfTraining)]
    [InlineData(Recipe.GrpoGold)]
    public async Task RunChunkAsync_ResumedInFreshLoaders_BitIdenticalToUninterrupted(Recipe recipe)
    {
        using var campaign = await TinyCampaign.CreateAsync(TinyCampaign.Small(recipe));
        var d = campaign.Definition;
        var (inputs, last) = await UpdateEveryChunkAsync(campaign);
        var straightWeights = await WeightsAsync(campaign, last.Policy!);

        // Interrupted: the same shard outputs copied into a second campaign; each chunk by a "new process", and chunk 1's
        // state lost once (a crash before its manifest) and trained again.
        using var resumed = await TinyCampaign.CreateAsync(d);
        foreach (var key in inputs) await CopyAsync(campaign, resumed, key);
        await new UpdateWork(resumed.Shards, resumed.NewLoader()).RunChunkAsync(d, Command(resumed, 1, 0, inputs));
        await new UpdateWork(resumed.Shards, resumed.NewLoader()).RunChunkAsync(d, Command(resumed, 1, 1, inputs));
        foreach (var key in await resumed.Store.ListAsync(CampaignKeys.UpdateChunk("tiny", 1, 1)))
            await resumed.Store.DeleteAsync(key);
        await new UpdateWork(resumed.Shards, resumed.NewLoader()).RunChunkAsync(d, Command(resumed, 1, 1, inputs));
        var final = await new UpdateWork(resumed.Shards, resumed.NewLoader()).RunChunkAsync(d, Command(resumed, 1, 2, inputs));
        var resumedWeights = await WeightsAsync(resumed, final.Policy!);

        Assert.True(final.IsLast);
        Assert.False(final.Reused);
        Assert.Equal(3, final.Metrics["step"]);
        Assert.True(straightWeights.AsSpan().SequenceEqual(resumedWeights), "resumed weights differ from the uninterrupted run");
        // Every figure but the wall time, which is the machine's, not the training's.
        Assert.Equal(last.Metrics.Where(m => m.Key != StageTiming.WallSeconds), final.Metrics.Where(m => m.Key != StageTiming.WallSeconds));
        var baseWeights = await WeightsAsync(campaign, campaign.Base);
        Assert.False(baseWeights.AsSpan().SequenceEqual(straightWeights), "the update changed no weight");
    }

    [Fact]
    public async Task RunChunkAsync_ChunkAlreadySaved_ReusedWithSameStateAndMetrics()
    {
        using var campaign = await TinyCampaign.CreateAsync(TinyCampaign.Small(Recipe.Intuitor));
        var inputs = await InputsAsync(campaign);
        var work = new UpdateWork(campaign.Shards, campaign.Policies);
        var first = await work.RunChunkAsync(campaign.Definition, Command(campaign, 1, 0, inputs));

        var again = await new UpdateWork(campaign.Shards, campaign.NewLoader()).RunChunkAsync(campaign.Definition, Command(campaign, 1, 0, inputs));

        Assert.True(again.Reused);
        Assert.Equal(first.TrainerState, again.TrainerState);
        Assert.Equal(first.Metrics, again.Metrics);
        Assert.Equal(CampaignKeys.UpdateChunk("tiny", 1, 0), again.TrainerState.Prefix);
        Assert.Null(again.Policy);
    }

    [Fact]
    public async Task RunChunkAsync_LastChunkSavedButPolicyMissing_PublishesThePolicy()
    {
        using var campaign = await TinyCampaign.CreateAsync(TinyCampaign.Small(Recipe.Intuitor));
        var d = campaign.Definition;
        var (inputs, last) = await UpdateEveryChunkAsync(campaign);
        var published = await WeightsAsync(campaign, last.Policy!);
        foreach (var key in await campaign.Store.ListAsync(CampaignKeys.Policy("tiny", 1))) await campaign.Store.DeleteAsync(key);

        var again = await new UpdateWork(campaign.Shards, campaign.Policies).RunChunkAsync(d, Command(campaign, 1, d.ChunkCount - 1, inputs));

        Assert.True(again.Reused);
        Assert.NotNull(again.Policy);
        Assert.Equal(published, await WeightsAsync(campaign, again.Policy));
    }

    [Fact]
    public async Task RunChunkAsync_LastChunkRedeliveredAfterPublishing_ReturnsStoredPolicyReadingOnlyManifestsAndMetrics()
    {
        using var campaign = await TinyCampaign.CreateAsync(TinyCampaign.Small(Recipe.Intuitor));
        var d = campaign.Definition;
        var (inputs, last) = await UpdateEveryChunkAsync(campaign);
        // Another worker gets the redelivery: nothing of the campaign in its file cache.
        var observed = new ObservedObjectStore(campaign.Store);
        var loader = new PolicyLoader(new CheckpointStore(observed), Path.Combine(campaign.Root, "cache-redelivery"));

        var again = await new UpdateWork(new ShardStore(observed), loader).RunChunkAsync(d, Command(campaign, 1, d.ChunkCount - 1, inputs));

        Assert.True(again.Reused);
        Assert.Equal(last.Policy, again.Policy);
        Assert.Equal(last.TrainerState, again.TrainerState);
        Assert.Equal(last.Metrics, again.Metrics);
        string state = CampaignKeys.UpdateChunk("tiny", 1, d.ChunkCount - 1);
        Assert.Equal([state + CheckpointStore.ManifestName, state + UpdateWork.MetricsFileName, CampaignKeys.Policy("tiny", 1) + CheckpointStore.ManifestName],
            observed.ReadKeys.Distinct());
        Assert.Empty(observed.PutKeys);
    }

    private static UpdatePolicy Command(TinyCampaign campaign, int iteration, int chunk, IReadOnlyList<string> inputs) =>
        new(campaign.Id, iteration, chunk, campaign.Base, campaign.Definition.ChunkCount, inputs);

    /// <summary>
    /// Seeds and runs iteration 1's per-shard stages, then every update chunk in one worker, without interruption; returns
    /// the update's input keys and the last chunk's result.
    /// </summary>
    private static async Task<(IReadOnlyList<string> Inputs, UpdateChunkResult Last)> UpdateEveryChunkAsync(TinyCampaign campaign)
    {
        await campaign.SeedGenerationAsync(1);
        var inputs = await InputsAsync(campaign);
        var work = new UpdateWork(campaign.Shards, campaign.Policies);
        UpdateChunkResult? last = null;
        for (int j = 0; j < campaign.Definition.ChunkCount; j++)
            last = await work.RunChunkAsync(campaign.Definition, Command(campaign, 1, j, inputs));
        return (inputs, last!);
    }

    /// <summary>Runs every shard's per-shard stages of iteration 1 and returns the update's input keys.</summary>
    private static async Task<IReadOnlyList<string>> InputsAsync(TinyCampaign campaign)
    {
        var d = campaign.Definition;
        var keys = new List<string>();
        for (int shard = 0; shard < d.Shards; shard++)
        {
            var output = await new GenerationWork(campaign.Shards, campaign.Policies).RunAsync(d, campaign.Generate(1, shard));
            string key = output.Key;
            foreach (var stage in d.Chain.ShardStages.Skip(1))
            {
                key = stage switch
                {
                    CampaignStage.Scoring => (await new ScoringWork(campaign.Shards).RunAsync(d,
                        new ScoreRollouts(campaign.Id, 1, shard, campaign.Base, key, 0, null))).Key,
                    CampaignStage.Judging => (await new JudgingWork(campaign.Shards, campaign.Policies).RunAsync(d,
                        new JudgeRollouts(campaign.Id, 1, shard, campaign.Base, key, 0, null))).Key,
                    CampaignStage.Pairs => (await new PairWork(campaign.Shards).RunAsync(d,
                        new BuildPairs(campaign.Id, 1, shard, campaign.Base, key, 0, null))).Key,
                    _ => throw new InvalidOperationException(stage.ToString()),
                };
            }
            keys.Add(key);
        }
        return keys;
    }

    private static async Task CopyAsync(TinyCampaign from, TinyCampaign to, string key)
    {
        await using var stream = await from.Store.OpenReadAsync(key);
        await to.Store.PutAsync(key, stream);
    }

    private static async Task<float[]> WeightsAsync(TinyCampaign campaign, CheckpointReference policy) =>
        (await campaign.NewLoader().LoadCopyAsync(policy)).Model.Weights();
}
