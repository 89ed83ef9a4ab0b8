// An estimate with its two-sided confidence interval, as the comparison tables print it.
namespace Pipeline.Learning.Statistics;

/// <summary>A point estimate and the bounds of its confidence interval.</summary>
/// <param name="Estimate">The statistic on the data as observed.</param>
/// <param name="Lower">Lower bound.</param>
/// <param name="Upper">Upper bound.</param>
/// <param name="Level">Coverage, e.g. 0.95.</param>
public sealed record ConfidenceInterval(double Estimate, double Lower, double Upper, double Level)
{
    /// <summary>Whether the interval lies wholly on one side of zero.</summary>
    public bool ExcludesZero => Lower > 0 || Upper < 0;
}
