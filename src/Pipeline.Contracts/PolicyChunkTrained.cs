// Event of the policy-update stage: one chunk's trainer state is saved, so a restart resumes after it.
namespace Pipeline.Contracts;

/// <summary>A chunk of the iteration's optimizer steps finished and its trainer state was saved.</summary>
/// <param name="CampaignId">Campaign id.</param>
/// <param name="Iteration">Iteration.</param>
/// <param name="Chunk">The chunk, from 0.</param>
/// <param name="Checkpoint">The iteration's starting policy.</param>
/// <param name="ChunkCount">Chunks in the update.</param>
/// <param name="TrainerState">The saved trainer state (weights, optimizer moments, step, RNG).</param>
/// <param name="Metrics">Chunk figures by name (loss, gradient norm, learning rate, step ...).</param>
public sealed record PolicyChunkTrained(string CampaignId, int Iteration, int Chunk, CheckpointReference Checkpoint,
    int ChunkCount, CheckpointReference TrainerState, IReadOnlyDictionary<string, double> Metrics) : IChunkMessage;
