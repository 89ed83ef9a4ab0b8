// Command to the pair stage.
namespace Pipeline.Contracts;

/// <summary> turn a shard's scored rollouts into preference pairs:Build pairs from the rollouts of one shard, read from the store (or inline when present).</summary>
/// <param name="CampaignId">Campaign id.</param>
/// <param name="Iteration">Iteration.</param>
/// <param name="Shard">Shard.</param>
/// <param name="Checkpoint">The iteration's starting policy.</param>
/// <param name="RolloutsKey">Store key of the input rollouts.</param>
/// <param name="Count">Number of input rollouts.</param>
/// <param name="Rollouts">The input rollouts inline, or null when over the inline bound.</param>
public sealed record BuildPairs(string CampaignId, int Iteration, int Shard, CheckpointReference Checkpoint,
    string RolloutsKey, int Count, IReadOnlyList<Rollout>? Rollouts) : IShardMessage, IRolloutPayload;
