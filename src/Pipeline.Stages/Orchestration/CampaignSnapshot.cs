// What the store holds for one campaign at the moment of a reconcile: the keys under campaigns/{id}/ and the complete
// policy checkpoints under checkpoints/{id}/. The planner decides from this alone, so progress is what exists, not what
// any message claimed.
using Pipeline.Contracts;
using Pipeline.Stages.Campaigns;
using Pipeline.Storage.Checkpoints;

namespace Pipeline.Stages.Orchestration;

/// <summary>The stored outputs of a campaign, as listed at one moment.</summary>
/// <param name="CampaignId">Campaign id.</param>
/// <param name="Keys">Every key under <c>campaigns/{id}/</c>.</param>
/// <param name="Policies">The complete policy checkpoints by iteration (0: the base model).</param>
internal sealed record CampaignSnapshot(string CampaignId, IReadOnlySet<string> Keys, IReadOnlyDictionary<int, CheckpointReference> Policies)
{
    /// <summary>Whether the per-shard output of (iteration, stage, shard) exists.</summary>
    public bool HasShardOutput(int iteration, CampaignStage stage, int shard) =>
        Keys.Contains(CampaignKeys.ShardOutput(CampaignId, iteration, stage, shard));

    /// <summary>Whether the trainer state of update chunk <paramref name="chunk"/> is complete (its manifest exists).</summary>
    public bool HasChunk(int iteration, int chunk) =>
        Keys.Contains(CampaignKeys.UpdateChunk(CampaignId, iteration, chunk) + CheckpointStore.ManifestName);

    /// <summary>Whether the evaluation of the policy after <paramref name="iteration"/> exists.</summary>
    public bool HasEvaluation(int iteration) => Keys.Contains(CampaignKeys.Evaluation(CampaignId, iteration));

    /// <summary>The policy after <paramref name="iteration"/>, or null when it is not complete yet.</summary>
    public CheckpointReference? Policy(int iteration) => Policies.GetValueOrDefault(iteration);
}
