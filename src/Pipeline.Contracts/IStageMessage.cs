// What every stage command and event carries, so any message can be traced to its campaign, iteration and checkpoint.
namespace Pipeline.Contracts;

/// <summary>The address of one unit of stage work: campaign, iteration and the checkpoint the work uses.</summary>
public interface IStageMessage
{
    /// <summary>The campaign's id (lowercase letters, digits and '-').</summary>
    string CampaignId { get; }

    /// <summary>Iteration, from 1 (0 only for the base model's evaluation).</summary>
    int Iteration { get; }

    /// <summary>The policy checkpoint the work runs on (the iteration's starting policy; for an evaluation, the policy evaluated).</summary>
    CheckpointReference Checkpoint { get; }
}
