// Plain SFT as an update objective over a fixed set of (prompt, response) examples chosen before the update, e.g. the
// base model's own successful corrections (the correction-sft baseline of SCoRe).
using Pipeline.Learning.Policies;

namespace Pipeline.Learning.Updates;

/// <summary>SFT over fixed examples; a step with no examples takes no step.</summary>
/// <param name="examples">The examples, each one unit.</param>
public sealed class SftObjective(IReadOnlyList<PromptResponse> examples) : IUpdateObjective
{
    /// <inheritdoc />
    public int UnitCount => examples.Count;

    /// <inheritdoc />
    public ObjectiveStep Step(IPolicyTrainer trainer, IReadOnlyList<int> units)
    {
        ArgumentNullException.ThrowIfNull(units);
        if (units.Count == 0) return new ObjectiveStep(null, new Dictionary<string, double> { ["examples"] = 0 });
        var result = SftUpdate.Step(trainer, units.Select(i => examples[i]).ToList());
        return new ObjectiveStep(result, new Dictionary<string, double> { ["examples"] = units.Count });
    }
}
