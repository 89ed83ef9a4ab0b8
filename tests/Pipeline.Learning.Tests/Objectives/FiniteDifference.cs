// Central finite differences of a loss with respect to every float input, to check analytic per-token gradients.
namespace Pipeline.Learning.Tests.Objectives;

internal static class FiniteDifference
{
    /// <summary>
    /// Asserts that <paramref name="analytic"/>[s][t] ≈ ∂loss/∂inputs[s][t]. The loss closure must read
    /// <paramref name="inputs"/>, which are perturbed in place and restored. The step actually taken (after float
    /// rounding) is the denominator, so rounding of the input does not bias the estimate.
    /// </summary>
    public static void AssertGradients(float[][] inputs, float[][] analytic, Func<double> loss, float step = 1e-3f, double tolerance = 2e-5)
    {
        for (int s = 0; s < inputs.Length; s++)
        {
            for (int t = 0; t < inputs[s].Length; t++)
            {
                float original = inputs[s][t];
                float plus = original + step, minus = original - step;
                inputs[s][t] = plus;
                double lossPlus = loss();
                inputs[s][t] = minus;
                double lossMinus = loss();
                inputs[s][t] = original;
                double numeric = (lossPlus - lossMinus) / ((double)plus - minus);
                Assert.True(Math.Abs(numeric - analytic[s][t]) <= tolerance * Math.Max(1, Math.Abs(numeric)),
                    $"∂loss/∂x[{s}][{t}]: analytic {analytic[s][t]}, numeric {numeric}");
            }
        }
    }

    /// <summary>Log-prob-like values in (−4, −0.05), seeded.</summary>
    public static float[] RandomLogProbs(Random rng, int count) =>
        Enumerable.Range(0, count).Select(_ => (float)(-0.05 - 3.95 * rng.NextDouble())).ToArray();
}
