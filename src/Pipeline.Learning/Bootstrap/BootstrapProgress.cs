// One progress report of the bootstrap, and the summary written to training.json at the end.
namespace Pipeline.Learning.Bootstrap;

/// <summary>Progress after an optimiser step.</summary>
/// <param name="Step">Steps done.</param>
/// <param name="TotalSteps">Steps planned.</param>
/// <param name="Loss">Smoothed mean NLL per response token.</param>
/// <param name="TokensPerSecond">Positions processed per second so far (prompt, response and padding).</param>
/// <param name="Elapsed">Training time so far.</param>
/// <param name="Remaining">Estimated time to the last step at the rate so far.</param>
public readonly record struct BootstrapProgress(int Step, int TotalSteps, double Loss, double TokensPerSecond, TimeSpan Elapsed, TimeSpan Remaining);

/// <summary>What a bootstrap run did.</summary>
/// <param name="Seed">Data and initialisation seed.</param>
/// <param name="StepsPlanned">Steps of the schedule.</param>
/// <param name="StepsDone">Steps taken.</param>
/// <param name="Examples">Training sequences (task solutions plus judge examples).</param>
/// <param name="Parameters">Model parameter count.</param>
/// <param name="LossBySegment">Mean training loss over each tenth of the steps done, in order.</param>
/// <param name="WallSeconds">Training time in seconds (data building and saving excluded).</param>
/// <param name="TokensPerSecond">Positions per second over the run.</param>
public sealed record BootstrapReport(int Seed, int StepsPlanned, int StepsDone, int Examples, long Parameters,
    IReadOnlyList<double> LossBySegment, double WallSeconds, double TokensPerSecond)
{
    /// <summary>Steps on batches of the methods' examples (self-correction, meta-judge, answer-only verdicts).</summary>
    public int MethodSteps { get; init; }

    /// <summary>
    /// Share of all positions processed (prompt, response, padding) that were in the methods' batches: what those examples
    /// added to the bootstrap's compute is about share / (1 − share) of the rest.
    /// </summary>
    public double MethodPositionShare { get; init; }
}
