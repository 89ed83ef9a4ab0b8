// McNemar's test of two paired binary outcomes (the same problems solved by two models): only the discordant problems
// count, b solved by the first only and c by the second only; under the null hypothesis each discordant problem is a
// fair coin. The exact binomial p-value is the one to read for small b + c; the continuity-corrected chi-square is the
// textbook large-sample form.
namespace Pipeline.Learning.Statistics;

/// <summary>The outcome of McNemar's test.</summary>
/// <param name="OnlyFirst">b: problems the first model solved and the second did not.</param>
/// <param name="OnlySecond">c: problems the second model solved and the first did not.</param>
/// <param name="ExactP">Two-sided exact binomial p-value: min(1, 2·P(X ≤ min(b, c))) for X ~ Binomial(b + c, ½); 1 when b + c = 0.</param>
/// <param name="ChiSquare">(|b − c| − 1)² / (b + c), the continuity-corrected statistic (0 when b + c = 0).</param>
/// <param name="ChiSquareP">Its p-value under χ² with one degree of freedom.</param>
public sealed record McNemarResult(int OnlyFirst, int OnlySecond, double ExactP, double ChiSquare, double ChiSquareP);

/// <summary>McNemar's test.</summary>
public static class McNemar
{
    /// <summary>Tests whether <paramref name="first"/> and <paramref name="second"/> (per problem: solved or not) differ.</summary>
    public static McNemarResult Test(IReadOnlyList<bool> first, IReadOnlyList<bool> second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.Count != second.Count) throw new ArgumentException("Both models must be measured on the same problems.", nameof(second));
        int b = 0, c = 0;
        for (int i = 0; i < first.Count; i++)
        {
            if (first[i] && !second[i]) b++;
            else if (!first[i] && second[i]) c++;
        }
        return FromCounts(b, c);
    }

    /// <summary>The test from the discordant counts b and c.</summary>
    public static McNemarResult FromCounts(int onlyFirst, int onlySecond)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(onlyFirst);
        ArgumentOutOfRangeException.ThrowIfNegative(onlySecond);
        int n = onlyFirst + onlySecond;
        if (n == 0) return new McNemarResult(0, 0, 1, 0, 1);
        int k = Math.Min(onlyFirst, onlySecond);
        // P(X ≤ k) summed in log space: C(n, j)/2^n underflows doubles for n beyond about a thousand.
        double logHalfPowN = -n * Math.Log(2);
        double tail = 0;
        for (int j = 0; j <= k; j++) tail += Math.Exp(LogChoose(n, j) + logHalfPowN);
        double exact = Math.Min(1, 2 * tail);
        double diff = Math.Max(0, Math.Abs(onlyFirst - onlySecond) - 1);
        double chi = diff * diff / n;
        return new McNemarResult(onlyFirst, onlySecond, exact, chi, ChiSquareOneDofP(chi));
    }

    /// <summary>P(χ²₁ ≥ x) = erfc(√(x/2)).</summary>
    internal static double ChiSquareOneDofP(double x) => x <= 0 ? 1 : Erfc(Math.Sqrt(x / 2));

    /// <summary>
    /// The complementary error function, from the continued fraction of erfc for x ≥ 2 and the Maclaurin series of erf
    /// below; both are summed to double precision.
    /// </summary>
    internal static double Erfc(double x)
    {
        if (x < 0) return 2 - Erfc(-x);
        if (x < 2)
        {
            // erf(x) = 2/√π · Σ (−1)^n x^(2n+1) / (n! (2n+1))
            double term = x, sum = x;
            for (int n = 1; n < 200; n++)
            {
                term *= -x * x / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.Abs(add) < 1e-17 * Math.Abs(sum)) break;
            }
            return 1 - 2 / Math.Sqrt(Math.PI) * sum;
        }
        // erfc(x) = exp(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))), evaluated from the tail.
        double fraction = x;
        for (int n = 60; n >= 1; n--) fraction = x + n / 2.0 / fraction;
        return Math.Exp(-x * x) / Math.Sqrt(Math.PI) / fraction;
    }

    private static double LogChoose(int n, int k)
    {
        double sum = 0;
        for (int j = 1; j <= k; j++) sum += Math.Log(n - k + j) - Math.Log(j);
        return sum;
    }
}
