// A hook for whoever wants to follow a campaign as it moves (the embedded `pipeline run` prints progress lines from it);
// workers register none.
namespace Pipeline.Stages.Orchestration;

/// <summary>Told about every state the orchestrator writes.</summary>
public interface ICampaignObserver
{
    /// <summary>
    /// Called after a reconcile that changed <paramref name="state"/> or had a cause, with what caused the reconcile (an event's one-line
    /// description, or null for a nudge or the periodic timer) and the commands sent.
    /// </summary>
    void OnReconciled(CampaignState state, string? cause, IReadOnlyList<DispatchIntent> dispatched);
}
