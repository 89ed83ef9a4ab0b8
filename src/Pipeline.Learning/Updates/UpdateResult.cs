// What one optimizer step reports, whichever objective produced its gradients.
namespace Pipeline.Learning.Updates;

/// <summary>The outcome of one optimizer step.</summary>
/// <param name="Loss">The objective's value over the whole batch, before the step.</param>
/// <param name="GradientNorm">Global L2 norm of the gradients before clipping.</param>
/// <param name="LearningRate">The rate the step used.</param>
/// <param name="ResponseTokens">Response tokens the objective was computed over.</param>
/// <param name="Step">Optimizer steps taken so far, this one included.</param>
public sealed record UpdateResult(double Loss, double GradientNorm, float LearningRate, int ResponseTokens, long Step);
