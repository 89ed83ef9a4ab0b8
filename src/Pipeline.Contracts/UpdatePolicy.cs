// Command to the policy-update stage: run one chunk of an iteration's optimizer steps, resuming from the previous chunk.
namespace Pipeline.Contracts;

/// <summary>
/// Train chunk <paramref name="Chunk"/> (from 0) of <paramref name="ChunkCount"/> on the iteration's inputs, starting from
/// the trainer state the previous chunk saved (or from <paramref name="Checkpoint"/> for chunk 0).
/// </summary>
/// <param name="CampaignId">Campaign id.</param>
/// <param name="Iteration">Iteration.</param>
/// <param name="Chunk">The chunk, from 0.</param>
/// <param name="Checkpoint">The iteration's starting policy (also the reference model).</param>
/// <param name="ChunkCount">Chunks in the update; the last one publishes the new policy.</param>
/// <param name="InputKeys">Store keys of every shard's training input (rollouts or pairs), in shard order.</param>
public sealed record UpdatePolicy(string CampaignId, int Iteration, int Chunk, CheckpointReference Checkpoint,
    int ChunkCount, IReadOnlyList<string> InputKeys) : IChunkMessage;
