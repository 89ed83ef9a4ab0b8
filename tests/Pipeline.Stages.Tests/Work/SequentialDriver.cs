// Runs whole campaign iterations in one thread by calling the stage work directly, in the order the orchestrator would
// dispatch it (every shard through the recipe's chain, then the update chunks, then evaluation). No bus: the tests use it
// to run each recipe end to end, and the recipe tuning script links this file.
using Pipeline.Contracts;
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Work;
using Pipeline.Storage;

namespace Pipeline.Stages.Tests.Work;

internal sealed class SequentialDriver(IObjectStore store, PolicyLoader policies, string campaignId, CampaignDefinition definition)
{
    private readonly ShardStore _shards = new(store);

    public Action<string>? Log { get; init; }

    /// <summary>Runs iteration <paramref name="iteration"/> from <paramref name="policy"/>; returns the updated policy.</summary>
    public async Task<CheckpointReference> IterationAsync(int iteration, CheckpointReference policy)
    {
        var generation = new GenerationWork(_shards, policies);
        var scoring = new ScoringWork(_shards);
        var judging = new JudgingWork(_shards, policies);
        var pairs = new PairWork(_shards);
        var chain = definition.Chain;
        var inputKeys = new List<string>();
        for (int shard = 0; shard < definition.Shards; shard++)
        {
            var prompts = CampaignPrompts.Shard(definition, iteration, shard);
            var output = await generation.RunAsync(definition, new GenerateRollouts(campaignId, iteration, shard, policy, prompts));
            Log?.Invoke($"iter {iteration} shard {shard} generation: {Show(output.Summary)}");
            string key = output.Key;
            IReadOnlyList<Rollout>? inline = output.Inline;
            int count = output.Count;
            foreach (var stage in chain.ShardStages.Skip(1))
            {
                switch (stage)
                {
                    case CampaignStage.Scoring:
                    {
                        var scored = await scoring.RunAsync(definition, new ScoreRollouts(campaignId, iteration, shard, policy, key, count, inline));
                        (key, inline, count) = (scored.Key, scored.Inline, scored.Count);
                        Log?.Invoke($"iter {iteration} shard {shard} scoring: {Show(scored.Summary)}");
                        break;
                    }
                    case CampaignStage.Judging:
                    {
                        var judged = await judging.RunAsync(definition, new JudgeRollouts(campaignId, iteration, shard, policy, key, count, inline));
                        (key, inline, count) = (judged.Key, judged.Inline, judged.Count);
                        Log?.Invoke($"iter {iteration} shard {shard} judging: {Show(judged.Summary)}");
                        break;
                    }
                    case CampaignStage.Pairs:
                    {
                        var built = await pairs.RunAsync(definition, new BuildPairs(campaignId, iteration, shard, policy, key, count, inline));
                        (key, inline, count) = (built.Key, null, built.Count);
                        Log?.Invoke($"iter {iteration} shard {shard} pairs: {Show(built.Summary)}");
                        break;
                    }
                    default:
                        throw new InvalidOperationException($"Unexpected per-shard stage {stage}.");
                }
            }
            inputKeys.Add(key);
        }

        var update = new UpdateWork(_shards, policies);
        CheckpointReference? next = null;
        for (int chunk = 0; chunk < definition.ChunkCount; chunk++)
        {
            var result = await update.RunChunkAsync(definition, new UpdatePolicy(campaignId, iteration, chunk, policy, definition.ChunkCount, inputKeys));
            Log?.Invoke($"iter {iteration} update chunk {chunk}: {Show(result.Metrics)}");
            next = result.Policy;
        }
        return next ?? throw new InvalidOperationException("The last update chunk returned no policy.");
    }

    /// <summary>Evaluates <paramref name="policy"/> as the result of <paramref name="iteration"/>.</summary>
    public async Task<EvaluationReport> EvaluateAsync(int iteration, CheckpointReference policy)
    {
        var (report, _, _) = await new EvaluationWork(store, policies).RunAsync(definition, new EvaluatePolicy(campaignId, iteration, policy));
        return report;
    }

    private static string Show(IReadOnlyDictionary<string, double> figures) =>
        string.Join(", ", figures.Select(f => $"{f.Key}={f.Value:0.####}"));
}
