// Event of evaluation: a policy's held-out figures exist in the store.
namespace Pipeline.Contracts;

/// <summary>The policy of an iteration was evaluated.</summary>
/// <param name="CampaignId">Campaign id.</param>
/// <param name="Iteration">Iteration measured (0: the base model).</param>
/// <param name="Checkpoint">The policy evaluated.</param>
/// <param name="ReportKey">Store key of the evaluation report (JSON).</param>
/// <param name="Difficulties">The figures per difficulty.</param>
/// <param name="WallSeconds">Seconds the evaluation took.</param>
public sealed record PolicyEvaluated(string CampaignId, int Iteration, CheckpointReference Checkpoint,
    string ReportKey, IReadOnlyList<DifficultyMetrics> Difficulties, double WallSeconds = 0) : IStageMessage;
