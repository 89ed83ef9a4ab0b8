// A unit of work the planner decided is due; the reconciler turns it into the stage's command and sends it.
using Pipeline.Stages.Campaigns;

namespace Pipeline.Stages.Orchestration;

/// <summary>Send the command of <paramref name="Stage"/> for (iteration, shard); for the update the shard is the chunk.</summary>
/// <param name="Iteration">Iteration (0 only for the base model's evaluation).</param>
/// <param name="Stage">Stage whose command is due.</param>
/// <param name="Shard">Shard, update chunk, or 0 for evaluation.</param>
public sealed record DispatchIntent(int Iteration, CampaignStage Stage, int Shard);
