// Event of the judging stage: a shard's judged rollouts exist in the store.
namespace Pipeline.Contracts;

/// <summary>A shard's rollouts were judged and stored.</summary>
/// <param name="CampaignId">Campaign id.</param>
/// <param name="Iteration">Iteration.</param>
/// <param name="Shard">Shard.</param>
/// <param name="Checkpoint">The iteration's starting policy.</param>
/// <param name="RolloutsKey">Store key of the judged rollouts.</param>
/// <param name="Count">Number of rollouts.</param>
/// <param name="Rollouts">The rollouts inline, or null when over the inline bound.</param>
/// <param name="Summary">Shard-level figures by name (mean score, parse failures, ties ...).</param>
public sealed record RolloutsJudged(string CampaignId, int Iteration, int Shard, CheckpointReference Checkpoint,
    string RolloutsKey, int Count, IReadOnlyList<Rollout>? Rollouts, IReadOnlyDictionary<string, double> Summary)
    : IShardMessage, IRolloutPayload;
