// Command to the orchestrator: look at what exists for a campaign and dispatch whatever is due (start, resume, nudge).
namespace Pipeline.Contracts;

/// <summary>Reconcile a campaign: derive its progress from the store and send the commands that are due.</summary>
/// <param name="CampaignId">Campaign id.</param>
/// <param name="Redispatch">
/// Also re-send commands already dispatched whose output does not exist (resume after lost work); their stages are
/// idempotent, so a duplicate only re-publishes.
/// </param>
public sealed record AdvanceCampaign(string CampaignId, bool Redispatch = false);
