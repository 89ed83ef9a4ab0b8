// Checks McNemar's test on hand-computed discordant counts: exact binomial tails and the continuity-corrected χ².
using Pipeline.Learning.Statistics;

namespace Pipeline.Learning.Tests.Statistics;

public class McNemarTests
{
    [Fact]
    public void FromCounts_ZeroAndFive_ExactPIsTwoOver32()
    {
        var result = McNemar.FromCounts(0, 5);

        Assert.Equal(2.0 / 32, result.ExactP, 12);
        // (|0 − 5| − 1)² / 5 = 3.2
        Assert.Equal(3.2, result.ChiSquare, 12);
    }

    [Fact]
    public void FromCounts_OneAndNine_HandComputedPValues()
    {
        var result = McNemar.FromCounts(1, 9);

        // 2·(C(10,0) + C(10,1)) / 2^10 = 22 / 1024
        Assert.Equal(22.0 / 1024, result.ExactP, 12);
        // (8 − 1)² / 10 = 4.9; P(χ²₁ ≥ 4.9) = erfc(√2.45) = 0.0268566955...
        Assert.Equal(4.9, result.ChiSquare, 12);
        Assert.Equal(0.026856695507524425, result.ChiSquareP, 9);
    }

    [Fact]
    public void FromCounts_Balanced_PIsOne()
    {
        var result = McNemar.FromCounts(6, 6);

        Assert.Equal(1, result.ExactP, 12);
        Assert.Equal(0, result.ChiSquare, 12);
        Assert.Equal(1, result.ChiSquareP, 12);
    }

    [Fact]
    public void FromCounts_NoDiscordantProblem_PIsOne()
    {
        Assert.Equal(1, McNemar.FromCounts(0, 0).ExactP);
    }

    [Fact]
    public void FromCounts_LargeCounts_NoUnderflow_AgreesWithChiSquare()
    {
        var result = McNemar.FromCounts(600, 700);

        Assert.InRange(result.ExactP, 0.005, 0.01);
        Assert.Equal(result.ChiSquareP, result.ExactP, 2);
    }

    [Fact]
    public void Test_CountsOnlyDiscordantProblems()
    {
        bool[] first = [true, true, false, false, true, false];
        bool[] second = [true, false, true, true, false, false];

        var result = McNemar.Test(first, second);

        Assert.Equal(2, result.OnlyFirst);
        Assert.Equal(2, result.OnlySecond);
    }

    [Theory]
    [InlineData(0.5, 0.4795001221869535)]
    [InlineData(1.9, 0.0072095707647425325)]
    [InlineData(2.5, 0.0004069520174449589)]
    [InlineData(-0.5, 1.5204998778130465)]
    public void Erfc_KnownValues(double x, double expected)
    {
        Assert.Equal(expected, McNemar.Erfc(x), 12);
    }
}
