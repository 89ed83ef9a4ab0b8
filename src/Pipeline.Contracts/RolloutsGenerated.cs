// Event of the generation stage: a shard's rollouts exist in the store.
namespace Pipeline.Contracts;

/// <summary>A shard's responses were sampled and stored.</summary>
/// <param name="CampaignId">Campaign id.</param>
/// <param name="Iteration">Iteration.</param>
/// <param name="Shard">Shard.</param>
/// <param name="Checkpoint">The policy that sampled them.</param>
/// <param name="RolloutsKey">Store key of the rollouts.</param>
/// <param name="Count">Number of rollouts.</param>
/// <param name="Rollouts">The rollouts inline, or null when over the inline bound.</param>
/// <param name="Summary">Shard-level figures by name (mean tokens, answer rate, wall seconds ...).</param>
public sealed record RolloutsGenerated(string CampaignId, int Iteration, int Shard, CheckpointReference Checkpoint,
    string RolloutsKey, int Count, IReadOnlyList<Rollout>? Rollouts, IReadOnlyDictionary<string, double> Summary) : IShardMessage, IRolloutPayload;
