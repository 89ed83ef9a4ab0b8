// Event of the policy-update stage: the iteration's last chunk finished and the new policy is a checkpoint.
namespace Pipeline.Contracts;

/// <summary>The iteration's update is complete; <paramref name="Policy"/> is the next iteration's starting policy.</summary>
/// <param name="CampaignId">Campaign id.</param>
/// <param name="Iteration">Iteration.</param>
/// <param name="Chunk">The last chunk.</param>
/// <param name="Checkpoint">The iteration's starting policy.</param>
/// <param name="Policy">The updated policy.</param>
/// <param name="Metrics">Update figures by name (final loss, steps, tokens ...).</param>
public sealed record PolicyUpdated(string CampaignId, int Iteration, int Chunk, CheckpointReference Checkpoint,
    CheckpointReference Policy, IReadOnlyDictionary<string, double> Metrics) : IChunkMessage;
