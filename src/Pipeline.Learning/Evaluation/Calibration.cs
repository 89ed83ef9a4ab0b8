// Calibration of a confidence signal against correctness (how RLSF reports it): expected calibration error over
// equal-width confidence bins.
namespace Pipeline.Learning.Evaluation;

/// <summary>Calibration measures.</summary>
public static class Calibration
{
    /// <summary>
    /// ECE = Σ_b (n_b / N)·|acc_b − conf_b| over <paramref name="bins"/> equal-width bins of [0, 1]; bin b holds
    /// confidences in [b/B, (b+1)/B), the last bin also 1. Confidences outside [0, 1] are clamped. 0 for no samples.
    /// </summary>
    public static double ExpectedCalibrationError(IReadOnlyList<double> confidences, IReadOnlyList<bool> correct, int bins = 10)
    {
        if (confidences.Count != correct.Count) throw new ArgumentException("One correctness flag per confidence is needed.", nameof(correct));
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        if (confidences.Count == 0) return 0;
        var count = new int[bins];
        var confidenceSum = new double[bins];
        var correctCount = new int[bins];
        for (int i = 0; i < confidences.Count; i++)
        {
            double c = Math.Clamp(confidences[i], 0, 1);
            int b = Math.Min((int)(c * bins), bins - 1);
            count[b]++;
            confidenceSum[b] += c;
            if (correct[i]) correctCount[b]++;
        }
        double ece = 0;
        for (int b = 0; b < bins; b++)
        {
            if (count[b] == 0) continue;
            ece += (double)count[b] / confidences.Count * Math.Abs((double)correctCount[b] / count[b] - confidenceSum[b] / count[b]);
        }
        return ece;
    }
}
