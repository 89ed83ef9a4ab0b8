// Command to the judging stage.
namespace Pipeline.Contracts;

/// <summary> attach judge scores (the policy as its own judge, or the verifier) to a shard's rollouts:Judge the rollouts of one shard, read from the store (or inline when present).</summary>
/// <param name="CampaignId">Campaign id.</param>
/// <param name="Iteration">Iteration.</param>
/// <param name="Shard">Shard.</param>
/// <param name="Checkpoint">The iteration's starting policy.</param>
/// <param name="RolloutsKey">Store key of the input rollouts.</param>
/// <param name="Count">Number of input rollouts.</param>
/// <param name="Rollouts">The input rollouts inline, or null when over the inline bound.</param>
public sealed record JudgeRollouts(string CampaignId, int Iteration, int Shard, CheckpointReference Checkpoint,
    string RolloutsKey, int Count, IReadOnlyList<Rollout>? Rollouts) : IShardMessage, IRolloutPayload;
