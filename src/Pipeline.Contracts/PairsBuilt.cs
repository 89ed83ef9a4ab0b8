// Event of the pair stage: a shard's preference pairs exist in the store.
namespace Pipeline.Contracts;

/// <summary>A shard's preference pairs were built and stored.</summary>
/// <param name="CampaignId">Campaign id.</param>
/// <param name="Iteration">Iteration.</param>
/// <param name="Shard">Shard.</param>
/// <param name="Checkpoint">The iteration's starting policy.</param>
/// <param name="PairsKey">Store key of the pairs (JSON lines of <see cref="PreferencePairRecord"/>).</param>
/// <param name="Count">Number of pairs.</param>
/// <param name="Pairs">The pairs inline, or null when over the inline bound.</param>
/// <param name="Summary">Shard-level figures by name (prompts without a pair, ties dropped ...).</param>
public sealed record PairsBuilt(string CampaignId, int Iteration, int Shard, CheckpointReference Checkpoint,
    string PairsKey, int Count, IReadOnlyList<PreferencePairRecord>? Pairs, IReadOnlyDictionary<string, double> Summary)
    : IShardMessage;
