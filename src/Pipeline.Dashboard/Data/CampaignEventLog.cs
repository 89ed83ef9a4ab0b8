// The orchestrator tells its observers the event behind every reconcile. Where it runs in the dashboard's process (the
// embedded `pipeline run --dashboard`), this log keeps the last one per campaign for the campaign list; a dashboard
// watching remote workers sees none and shows when the state was last written instead.
using System.Collections.Concurrent;
using Pipeline.Stages.Orchestration;

namespace Pipeline.Dashboard.Data;

/// <summary>The last event of each campaign the orchestrator in this process reconciled on.</summary>
/// <param name="clock">Clock of the recorded times.</param>
internal sealed class CampaignEventLog(TimeProvider clock) : ICampaignObserver
{
    readonly ConcurrentDictionary<string, CampaignEvent> _last = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public void OnReconciled(CampaignState state, string? cause, IReadOnlyList<DispatchIntent> dispatched)
    {
        if (cause is not null)
            _last[state.CampaignId] = new CampaignEvent(cause, clock.GetUtcNow());
    }

    /// <summary>The last event of <paramref name="campaignId"/>, or null.</summary>
    public CampaignEvent? Last(string campaignId) => _last.GetValueOrDefault(campaignId);
}
