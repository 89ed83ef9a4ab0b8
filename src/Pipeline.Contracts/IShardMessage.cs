// What every stage command and event carries, so any message can be traced to its campaign, iteration and shard.
namespace Pipeline.Contracts;

/// <summary>The address of one unit of stage work: campaign, iteration, shard and the checkpoint the work uses.</summary>
public interface IShardMessage
{
    /// <summary>The campaign's id (lowercase letters, digits and '-').</summary>
    string CampaignId { get; }

    /// <summary>Iteration, from 1.</summary>
    int Iteration { get; }

    /// <summary>Shard of the iteration's prompts, from 0 (for a policy update: the chunk of optimizer steps).</summary>
    int Shard { get; }

    /// <summary>The policy checkpoint the work runs on (the iteration's starting policy).</summary>
    CheckpointReference Checkpoint { get; }
}
