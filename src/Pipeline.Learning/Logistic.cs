// The logistic function and its log-partition (softplus), written so neither overflows for large |x|.
namespace Pipeline.Learning;

internal static class Logistic
{
    /// <summary>σ(x) = 1 / (1 + e^−x).</summary>
    public static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

    /// <summary>log(1 + e^x) = −log σ(−x).</summary>
    public static double Softplus(double x) => x > 0 ? x + double.LogP1(Math.Exp(-x)) : double.LogP1(Math.Exp(x));
}
