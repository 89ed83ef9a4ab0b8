// What a reconcile is asked to do besides the derivation itself: send again, record what an event or fault reported,
// and reuse a payload the triggering event already carried instead of reading it back from the store.
using Pipeline.Contracts;

namespace Pipeline.Stages.Orchestration;

/// <summary>Options of one <see cref="CampaignReconciler.ReconcileAsync"/> call.</summary>
/// <param name="Redispatch">Send again work that was sent before and has no output yet (resume).</param>
/// <param name="Record">Records an event's figures or a failure in the state; applied before the derivation, on every attempt.</param>
/// <param name="Payload">Rollouts an event carried, reused for the next stage's command when its key matches.</param>
/// <param name="Cause">One-line description of what triggered the reconcile, for observers and logs.</param>
internal sealed record ReconcileRequest(bool Redispatch = false, Action<CampaignState>? Record = null, IRolloutPayload? Payload = null,
    string? Cause = null);
