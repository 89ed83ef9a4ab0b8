// Checks the paired bootstrap interval on cases whose resampling distribution is known by hand, and against the normal
// approximation on a large sample.
using Pipeline.Learning.Statistics;

namespace Pipeline.Learning.Tests.Statistics;

public class PairedBootstrapTests
{
    [Fact]
    public void MeanChange_EveryProblemGainsOne_IntervalIsThePoint()
    {
        var ci = PairedBootstrap.MeanChange([0, 0, 1, 0], [1, 1, 2, 1], seed: 3);

        Assert.Equal(1, ci.Estimate, 12);
        Assert.Equal(1, ci.Lower, 12);
        Assert.Equal(1, ci.Upper, 12);
        Assert.True(ci.ExcludesZero);
    }

    [Fact]
    public void Mean_TwoValues_BoundsAreTheExtremes()
    {
        // Resampled means of {0, 1}: 0 (¼), ½ (½), 1 (¼), so the 2.5 % and 97.5 % quantiles are 0 and 1.
        var ci = PairedBootstrap.Mean([0, 1], seed: 7, resamples: 4000);

        Assert.Equal(0.5, ci.Estimate, 12);
        Assert.Equal(0, ci.Lower, 12);
        Assert.Equal(1, ci.Upper, 12);
        Assert.False(ci.ExcludesZero);
    }

    [Fact]
    public void MeanChange_PairingRemovesProblemDifficulty_NarrowerThanUnpaired()
    {
        // Problems differ widely in level, but "after" is "before" + 0.1 on every one but a few: the paired interval
        // sees only the changes.
        var before = Enumerable.Range(0, 200).Select(i => (double)(i % 2)).ToList();
        var after = before.Select((b, i) => b + (i % 10 == 0 ? -1 : 0.1)).ToList();

        var ci = PairedBootstrap.MeanChange(before, after, seed: 1);

        double mean = after.Zip(before, (a, b) => a - b).Average();
        Assert.Equal(mean, ci.Estimate, 12);
        Assert.True(ci.Lower < mean && mean < ci.Upper);
        Assert.True(ci.Upper - ci.Lower < 0.15);
    }

    [Fact]
    public void Mean_LargeSample_MatchesNormalApproximation()
    {
        var values = Enumerable.Range(0, 1000).Select(i => i % 3 == 0 ? 1.0 : 0.0).ToList();
        double mean = values.Average();
        double se = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1) / values.Count);

        var ci = PairedBootstrap.Mean(values, seed: 11);

        Assert.Equal(mean - 1.96 * se, ci.Lower, 2);
        Assert.Equal(mean + 1.96 * se, ci.Upper, 2);
    }

    [Fact]
    public void Mean_SameSeed_SameInterval()
    {
        double[] values = [0, 1, 1, 0, 1, 0, 0, 1, 1, 1];

        Assert.Equal(PairedBootstrap.Mean(values, seed: 5), PairedBootstrap.Mean(values, seed: 5));
    }

    [Fact]
    public void MeanChange_DifferentLengths_Throws()
    {
        Assert.Throws<ArgumentException>(() => PairedBootstrap.MeanChange([1, 0], [1], seed: 1));
    }
}
