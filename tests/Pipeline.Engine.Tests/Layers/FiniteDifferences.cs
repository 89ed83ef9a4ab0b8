// Central finite differences for checking backward passes: perturb one float input, re-run the forward, and compare the
// slope of a scalar loss (summed in double) with the analytic gradient.
using Pipeline.Engine.Training;

namespace Pipeline.Engine.Tests.Layers;

internal static class FiniteDifferences
{
    /// <summary>
    /// For each index in <paramref name="indices"/> (all when null), asserts |analytic − numeric| ≤ atol + rtol·|numeric|,
    /// with numeric = (L(x + eps) − L(x − eps)) / 2eps.
    /// </summary>
    public static void Check(string what, float[] input, float[] analytic, Func<double> loss, float eps = 1e-2f,
        double rtol = 2e-2, double atol = 1e-3, IEnumerable<int>? indices = null)
    {
        Assert.Equal(input.Length, analytic.Length);
        int checkedCount = 0;
        foreach (int i in indices ?? Enumerable.Range(0, input.Length))
        {
            float saved = input[i];
            input[i] = saved + eps;
            double plus = loss();
            input[i] = saved - eps;
            double minus = loss();
            input[i] = saved;
            double numeric = (plus - minus) / (2.0 * eps);
            double error = Math.Abs(analytic[i] - numeric);
            Assert.True(error <= atol + rtol * Math.Abs(numeric),
                $"{what}[{i}]: analytic {analytic[i]:G6}, numeric {numeric:G6}, error {error:G3}");
            checkedCount++;
        }

        Assert.True(checkedCount > 0, $"{what}: nothing checked");
    }

    /// <summary>Normal(0, std) values from a fixed seed.</summary>
    public static float[] Random(int length, ulong seed, float std = 1f, float mean = 0f)
    {
        var values = new float[length];
        new SeededRandom(seed).FillNormal(values, mean, std);
        return values;
    }

    /// <summary>Σ r·y in double.</summary>
    public static double Weighted(ReadOnlySpan<float> r, ReadOnlySpan<float> y)
    {
        double sum = 0;
        for (int i = 0; i < y.Length; i++)
        {
            sum += (double)r[i] * y[i];
        }

        return sum;
    }
}
