// The document stored at campaigns/{id}/iter-{n}/evaluation.json: the summary figures the events carry, plus the full
// per-difficulty reports of the evaluator for anyone who wants more.
using Pipeline.Contracts;
using Pipeline.Learning.Evaluation;

namespace Pipeline.Stages.Work;

/// <summary>A policy's held-out evaluation as stored.</summary>
/// <param name="CampaignId">Campaign id.</param>
/// <param name="Iteration">Iteration measured (0: the base model).</param>
/// <param name="Checkpoint">The policy evaluated.</param>
/// <param name="Difficulties">The figures per difficulty, as <see cref="PolicyEvaluated"/> carries them.</param>
/// <param name="Reports">The evaluator's full report per difficulty.</param>
internal sealed record EvaluationReport(string CampaignId, int Iteration, CheckpointReference Checkpoint,
    IReadOnlyList<DifficultyMetrics> Difficulties, IReadOnlyList<DifficultyReport> Reports)
{
    /// <summary>Seconds the evaluation took (0 in documents written before it was recorded).</summary>
    public double WallSeconds { get; init; }
}
