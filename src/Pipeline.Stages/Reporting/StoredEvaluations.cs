// Read access to the stored held-out evaluations (campaigns/{id}/iter-{n}/evaluation.json) for readers outside the
// stages, such as `pipeline compare`, which needs each problem's outcome and not only the figures the events carry.
using Pipeline.Learning.Evaluation;
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Work;
using Pipeline.Storage;

namespace Pipeline.Stages.Reporting;

/// <summary>Stored evaluation reports.</summary>
public static class StoredEvaluations
{
    /// <summary>The evaluator's reports per difficulty of (campaign, iteration), or null when none is stored.</summary>
    /// <exception cref="InvalidDataException">The stored document is not an evaluation report.</exception>
    public static async Task<IReadOnlyList<DifficultyReport>?> ReadAsync(IObjectStore store, string campaignId, int iteration,
        CancellationToken cancellationToken = default)
    {
        var report = await EvaluationWork.TryReadAsync(store, CampaignKeys.Evaluation(campaignId, iteration), cancellationToken);
        return report?.Reports;
    }
}
