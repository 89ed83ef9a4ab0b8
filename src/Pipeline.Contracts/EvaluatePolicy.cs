// Command to evaluation (hosted with generation): measure a policy on the task's held-out sets.
namespace Pipeline.Contracts;

/// <summary>Evaluate the policy at <paramref name="Checkpoint"/> on every held-out difficulty of the campaign's task.</summary>
/// <param name="CampaignId">Campaign id.</param>
/// <param name="Iteration">Iteration whose result is measured (0: the base model).</param>
/// <param name="Checkpoint">The policy to evaluate.</param>
public sealed record EvaluatePolicy(string CampaignId, int Iteration, CheckpointReference Checkpoint) : IStageMessage;
