// Checks the expected calibration error against a hand-computed case and its edge cases.
using Pipeline.Learning.Evaluation;

namespace Pipeline.Learning.Tests.Evaluation;

public class CalibrationTests
{
    [Fact]
    public void ExpectedCalibrationError_HandCase()
    {
        // Bin [0.9, 1]: 0.95, 1.0 (mean 0.975), one right: |0.5 − 0.975| = 0.475, weight 2/4.
        // Bin [0.2, 0.3): 0.25, 0.25, both wrong: |0 − 0.25| = 0.25, weight 2/4. ECE = 0.2375 + 0.125.
        double ece = Calibration.ExpectedCalibrationError([0.95, 1.0, 0.25, 0.25], [true, false, false, false]);

        Assert.Equal(0.3625, ece, 12);
    }

    [Fact]
    public void ExpectedCalibrationError_PerfectlyCalibrated_IsZero()
    {
        double ece = Calibration.ExpectedCalibrationError([0.5, 0.5, 1.0, 0.0], [true, false, true, false]);

        Assert.Equal(0.0, ece, 12);
    }

    [Fact]
    public void ExpectedCalibrationError_NoSamplesOrMismatchedLengths()
    {
        Assert.Equal(0.0, Calibration.ExpectedCalibrationError([], []));
        Assert.Throws<ArgumentException>(() => Calibration.ExpectedCalibrationError([0.5], []));
    }
}
