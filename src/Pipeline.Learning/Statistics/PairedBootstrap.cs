// Paired bootstrap of a mean change per problem: the unit resampled is the problem, so the interval keeps the pairing
// of "before" and "after" on the same problem (and, when several campaign seeds are averaged per problem first, the
// seeds' spread is inside each unit). Percentile intervals from a seeded stream, so a table is reproducible.
using Pipeline.Engine.Training;

namespace Pipeline.Learning.Statistics;

/// <summary>Percentile bootstrap confidence intervals of a mean over paired units.</summary>
public static class PairedBootstrap
{
    /// <summary>Default number of resamples.</summary>
    public const int DefaultResamples = 10_000;

    /// <summary>
    /// The mean of <paramref name="after"/>[i] − <paramref name="before"/>[i] with a percentile bootstrap interval: the
    /// problems are drawn with replacement <paramref name="resamples"/> times, and the bounds are the (1 − level)/2 and
    /// (1 + level)/2 quantiles of the resampled means.
    /// </summary>
    public static ConfidenceInterval MeanChange(IReadOnlyList<double> before, IReadOnlyList<double> after, ulong seed,
        int resamples = DefaultResamples, double level = 0.95)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        if (before.Count != after.Count) throw new ArgumentException("One 'after' value per 'before' value is needed (the same problems).", nameof(after));
        return Mean(before.Select((b, i) => after[i] - b).ToList(), seed, resamples, level);
    }

    /// <summary>The mean of <paramref name="values"/> with its percentile bootstrap interval (see <see cref="MeanChange"/>).</summary>
    public static ConfidenceInterval Mean(IReadOnlyList<double> values, ulong seed, int resamples = DefaultResamples, double level = 0.95)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) throw new ArgumentException("No values to resample.", nameof(values));
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 1);
        if (!(level > 0 && level < 1)) throw new ArgumentOutOfRangeException(nameof(level), level, "The level must lie in (0, 1).");
        int n = values.Count;
        double estimate = values.Average();
        var rng = new SeededRandom(seed);
        var means = new double[resamples];
        for (int r = 0; r < resamples; r++)
        {
            double sum = 0;
            for (int i = 0; i < n; i++) sum += values[rng.NextInt(0, n)];
            means[r] = sum / n;
        }
        Array.Sort(means);
        return new ConfidenceInterval(estimate, Quantile(means, (1 - level) / 2), Quantile(means, (1 + level) / 2), level);
    }

    /// <summary>The q-quantile of sorted values, linear between order statistics (type 7, as R's and NumPy's default).</summary>
    internal static double Quantile(double[] sorted, double q)
    {
        double position = q * (sorted.Length - 1);
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }
}
