// Majority-vote self-training as an objective: per step, the filter keeps the agreed answers among the step's prompt
// groups (votes as scoring stored them) and one SFT step trains on them; a step with nothing kept takes no step.
using Pipeline.Learning.Policies;

namespace Pipeline.Learning.Updates;

/// <summary>Majority-vote filtered SFT over prompt groups.</summary>
/// <param name="groups">Each prompt's samples with their votes.</param>
/// <param name="minVoteShare">A prompt is kept when its majority answer has at least this share of the votes.</param>
/// <param name="minLengthFraction">Kept samples shorter than this fraction of the kept mean length are dropped.</param>
public sealed class SelfTrainingObjective(IReadOnlyList<SelfTrainingGroup> groups, double minVoteShare, double minLengthFraction) : IUpdateObjective
{
    /// <inheritdoc />
    public int UnitCount => groups.Count;

    /// <inheritdoc />
    public ObjectiveStep Step(IPolicyTrainer trainer, IReadOnlyList<int> units)
    {
        var result = SelfTrainingUpdate.Step(trainer, units.Select(i => groups[i]).ToList(), minVoteShare, minLengthFraction);
        return new ObjectiveStep(result.Update, new Dictionary<string, double> { ["kept"] = result.Selection.Kept.Count });
    }
}
