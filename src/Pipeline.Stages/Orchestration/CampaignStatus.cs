// The lifecycle of a campaign as the orchestrator records it. A failed stage is not a campaign status: the campaign stays
// running so that a retried message can still finish it; failures are shown per stage (StageProgress.Failures).
namespace Pipeline.Stages.Orchestration;

/// <summary>Where a campaign is in its life.</summary>
public enum CampaignStatus
{
    /// <summary>Work is dispatched as its inputs appear.</summary>
    Running,

    /// <summary>The last iteration's evaluation exists; nothing more is dispatched.</summary>
    Completed,

    /// <summary>Stopped by an operator; nothing is dispatched until it is resumed. Work already queued still finishes.</summary>
    Cancelled,
}
