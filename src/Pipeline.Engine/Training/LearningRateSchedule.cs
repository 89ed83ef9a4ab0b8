// Learning rate per step: linear warm-up from 0 to the peak, then cosine decay to a floor at the last step.
namespace Pipeline.Engine.Training;

/// <summary>Linear warm-up then cosine decay.</summary>
/// <param name="PeakRate">Rate reached at the end of warm-up.</param>
/// <param name="WarmupSteps">Steps of linear warm-up (0 for none).</param>
/// <param name="TotalSteps">Steps in the whole run; the floor is reached at the last one.</param>
/// <param name="FloorRate">Rate at and after the end of the run.</param>
public sealed record LearningRateSchedule(float PeakRate, int WarmupSteps, int TotalSteps, float FloorRate = 0f)
{
    /// <summary>The rate for zero-based <paramref name="step"/>.</summary>
    public float At(long step)
    {
        if (step < WarmupSteps)
        {
            return PeakRate * (step + 1) / WarmupSteps;
        }

        long decaySteps = TotalSteps - WarmupSteps;
        if (decaySteps <= 0 || step >= TotalSteps)
        {
            return step >= TotalSteps ? FloorRate : PeakRate;
        }

        double progress = (double)(step - WarmupSteps) / decaySteps;
        return (float)(FloorRate + 0.5 * (PeakRate - FloorRate) * (1 + Math.Cos(Math.PI * progress)));
    }
}
