// Command to the generation stage: sample responses for one shard of an iteration's prompts.
namespace Pipeline.Contracts;

/// <summary>Sample the campaign's responses for <paramref name="Prompts"/> with the policy at <paramref name="Checkpoint"/>.</summary>
/// <param name="CampaignId">Campaign id.</param>
/// <param name="Iteration">Iteration, from 1.</param>
/// <param name="Shard">Shard, from 0.</param>
/// <param name="Checkpoint">The iteration's starting policy.</param>
/// <param name="Prompts">The shard's prompts.</param>
public sealed record GenerateRollouts(string CampaignId, int Iteration, int Shard, CheckpointReference Checkpoint,
    IReadOnlyList<CampaignPrompt> Prompts) : IShardMessage;
