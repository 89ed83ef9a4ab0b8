// What a policy update trains on, one kind per objective: the units it was built from (GRPO prompt groups, preference
// pairs, self-training groups) and one optimizer step on any subset of them. The update stage only chooses which units
// each step draws and saves the trainer; everything objective-specific lives behind this.
using Pipeline.Learning.Policies;

namespace Pipeline.Learning.Updates;

/// <summary>An update objective over a fixed set of training units.</summary>
public interface IUpdateObjective
{
    /// <summary>Units a step can draw from.</summary>
    int UnitCount { get; }

    /// <summary>One optimizer step on the units <paramref name="units"/> names (indices into the objective's units).</summary>
    ObjectiveStep Step(IPolicyTrainer trainer, IReadOnlyList<int> units);
}

/// <summary>What one step did.</summary>
/// <param name="Update">The optimizer step, or null when the units held nothing to train on (no step was taken).</param>
/// <param name="Figures">The objective's own diagnostics (mean reward, pair accuracy, kept examples ...).</param>
public sealed record ObjectiveStep(UpdateResult? Update, IReadOnlyDictionary<string, double> Figures);
