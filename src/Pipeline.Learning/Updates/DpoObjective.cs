// DPO (and IRPO's DPO + NLL) as an objective over preference pairs whose reference log-likelihoods came with them.
using Pipeline.Learning.Objectives;
using Pipeline.Learning.Policies;

namespace Pipeline.Learning.Updates;

/// <summary>DPO over preference pairs, plus α·NLL of the chosen response when <paramref name="nllWeight"/> &gt; 0.</summary>
/// <param name="pairs">The pairs with their reference log-likelihoods and weights.</param>
/// <param name="beta">DPO's β.</param>
/// <param name="nllWeight">IRPO's α (0: plain DPO).</param>
public sealed class DpoObjective(IReadOnlyList<PreferenceExample> pairs, double beta = DpoLoss.DefaultBeta, double nllWeight = 0) : IUpdateObjective
{
    /// <inheritdoc />
    public int UnitCount => pairs.Count;

    /// <inheritdoc />
    public ObjectiveStep Step(IPolicyTrainer trainer, IReadOnlyList<int> units)
    {
        var result = DpoUpdate.Step(trainer, units.Select(i => pairs[i]).ToList(), beta, nllWeight);
        return new ObjectiveStep(result.Update, new Dictionary<string, double>
        {
            ["accuracy"] = result.Accuracy,
            ["reward_gap"] = result.RewardGap,
        });
    }
}
