// GRPO as an objective: prompt groups with rewards from the stored scores, or INTUITOR's self-certainty re-scored under
// the policy as it is before each step (online), which is the only pass beyond the step's own.
using Pipeline.Learning.Objectives;
using Pipeline.Learning.Policies;

namespace Pipeline.Learning.Updates;

/// <summary>GRPO over prompt groups.</summary>
/// <param name="groups">The groups, with old and reference log-probs and (unless online) rewards.</param>
/// <param name="options">Clip, KL and averaging settings.</param>
/// <param name="onlineSelfCertaintyTemperature">
/// When set, each step's rewards are the responses' self-certainty at this temperature (the sampling one) under the
/// current policy, replacing the groups' rewards.
/// </param>
/// <param name="onlineRewardSign">+1 for INTUITOR; −1 rewards low self-certainty (the grpo-negsc control).</param>
public sealed class GrpoObjective(IReadOnlyList<GrpoPromptGroup> groups, GrpoOptions options, float? onlineSelfCertaintyTemperature = null,
    double onlineRewardSign = 1)
    : IUpdateObjective
{
    /// <inheritdoc />
    public int UnitCount => groups.Count;

    /// <summary>The prompt groups, with the log-probs and rewards the steps start from.</summary>
    public IReadOnlyList<GrpoPromptGroup> Groups => groups;

    /// <summary>The sign applied to online self-certainty rewards (−1 for the grpo-negsc control).</summary>
    public double OnlineRewardSign => onlineRewardSign;

    /// <inheritdoc />
    public ObjectiveStep Step(IPolicyTrainer trainer, IReadOnlyList<int> units)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        var batch = units.Select(i => groups[i]).ToList();
        if (onlineSelfCertaintyTemperature is { } temperature)
        {
            var sequences = batch.SelectMany(g => g.Samples.Select(s => new PromptResponse(g.Prompt, s.Response))).ToList();
            var rewards = TeacherForcedScores.SelfCertainty(trainer.Policy, sequences, temperature, trainer.Options.MicroBatchSize);
            int k = 0;
            batch = batch.Select(g => g with { Samples = g.Samples.Select(s => s with { Reward = onlineRewardSign * rewards[k++] }).ToList() }).ToList();
        }
        var result = GrpoUpdate.Step(trainer, batch, options);
        return new ObjectiveStep(result.Update, new Dictionary<string, double>
        {
            ["mean_reward"] = batch.Average(g => g.Samples.Average(s => s.Reward)),
            ["clip_fraction"] = result.ClipFraction,
            ["kl"] = result.MeanKl,
        });
    }
}
