// Everything that decides how gradients become weight changes: the learning-rate schedule, AdamW's hyper-parameters,
// gradient clipping and how many sequences go through the model per pass (gradient accumulation).
using Pipeline.Engine.Training;

namespace Pipeline.Learning.Updates;

/// <summary>Optimisation settings shared by every policy update.</summary>
/// <param name="Schedule">Learning rate per optimizer step (warm-up then cosine), indexed by the trainer's step count.</param>
public sealed record TrainingOptions(LearningRateSchedule Schedule)
{
    /// <summary>AdamW's betas, epsilon and weight decay.</summary>
    public AdamWOptions Optimizer { get; init; } = new();

    /// <summary>Global L2 norm the gradients are clipped to before each step; null for no clipping.</summary>
    public double? MaxGradientNorm { get; init; } = 1.0;

    /// <summary>
    /// Sequences per forward/backward pass; gradients of the passes are summed into one optimizer step. Units that must
    /// share a pass (a preference pair, a GRPO group) are never split, so a pass may hold more when one unit is larger.
    /// </summary>
    public int MicroBatchSize { get; init; } = 8;

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Schedule);
        ArgumentNullException.ThrowIfNull(Optimizer);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MicroBatchSize, nameof(MicroBatchSize));
        if (MaxGradientNorm is { } max && !(max > 0))
            throw new ArgumentOutOfRangeException(nameof(MaxGradientNorm), max, "The clipping norm must be positive (null disables clipping).");
    }
}
