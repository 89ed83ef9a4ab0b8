// What one chunk of a policy update produced, for the PolicyChunkTrained / PolicyUpdated events.
using Pipeline.Contracts;

namespace Pipeline.Stages.Work;

/// <summary>The outcome of one update chunk.</summary>
/// <param name="Chunk">The chunk, from 0.</param>
/// <param name="ChunkCount">Chunks in the iteration's update.</param>
/// <param name="TrainerState">The trainer state saved after the chunk (campaigns/{id}/iter-{n}/update/chunk-{j}/).</param>
/// <param name="Metrics">Chunk figures (loss, gradient_norm, learning_rate, step, steps, units, and the objective's own).</param>
/// <param name="Policy">On the last chunk, the updated policy (checkpoints/{id}/iter-{n}/); null before.</param>
/// <param name="Reused">True when the chunk's state existed already and nothing was trained.</param>
internal sealed record UpdateChunkResult(int Chunk, int ChunkCount, CheckpointReference TrainerState,
    IReadOnlyDictionary<string, double> Metrics, CheckpointReference? Policy, bool Reused)
{
    /// <summary>Whether this was the iteration's last chunk (then <see cref="Policy"/> is set).</summary>
    public bool IsLast => Chunk == ChunkCount - 1;
}
