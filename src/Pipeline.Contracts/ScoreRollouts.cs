// Command to the scoring stage.
namespace Pipeline.Contracts;

/// <summary>
/// Attach the confidence signals (self-certainty, answer-span confidence, votes) to one shard's rollouts, read from the
/// store (or inline when present).
/// </summary>
/// <param name="CampaignId">Campaign id.</param>
/// <param name="Iteration">Iteration.</param>
/// <param name="Shard">Shard.</param>
/// <param name="Checkpoint">The iteration's starting policy.</param>
/// <param name="RolloutsKey">Store key of the input rollouts.</param>
/// <param name="Count">Number of input rollouts.</param>
/// <param name="Rollouts">The input rollouts inline, or null when over the inline bound.</param>
public sealed record ScoreRollouts(string CampaignId, int Iteration, int Shard, CheckpointReference Checkpoint,
    string RolloutsKey, int Count, IReadOnlyList<Rollout>? Rollouts) : IShardMessage, IRolloutPayload;
