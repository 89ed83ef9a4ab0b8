// Checks RLSF pair construction: strict ordering, the threshold on the chosen trace, ties, margins.
using Pipeline.Learning.Pairs;

namespace Pipeline.Learning.Tests.Pairs;

public class RlsfPairsTests
{
    [Fact]
    public void Build_EveryOrderedPairAboveThreshold_InOrder()
    {
        var batch = RlsfPairs.Build([[0.95, 0.5, 0.92, 0.0]]);

        Assert.Equal(
            [
                new PreferencePair(0, 0, 1, 0.95, 0.5),
                new PreferencePair(0, 0, 2, 0.95, 0.92),
                new PreferencePair(0, 0, 3, 0.95, 0.0),
                new PreferencePair(0, 2, 1, 0.92, 0.5),
                new PreferencePair(0, 2, 3, 0.92, 0.0),
            ],
            batch.Pairs);
        Assert.Equal(0, batch.GroupsWithoutPair);
    }

    [Fact]
    public void Build_ChosenExactlyAtThreshold_IsKept_JustBelow_IsNot()
    {
        Assert.Single(RlsfPairs.Build([[0.9, 0.2]]).Pairs);
        var below = RlsfPairs.Build([[0.8999, 0.2]]);
        Assert.Empty(below.Pairs);
        Assert.Equal(1, below.GroupsWithoutPair);
    }

    [Fact]
    public void Build_EqualConfidences_AreCountedTiesNotPairs()
    {
        var batch = RlsfPairs.Build([[0.95, 0.95, 0.3], [0.5, 0.5]]);

        Assert.Equal([(0, 2), (1, 2)], batch.Pairs.Select(p => (p.Chosen, p.Rejected)));
        Assert.Equal(1, batch.TiesDropped); // the 0.5 tie is below the threshold, so it could never have been a pair
        Assert.Equal(1, batch.GroupsWithoutPair);
    }

    [Fact]
    public void Build_CustomThreshold_AndGroupIndices()
    {
        var batch = RlsfPairs.Build([[0.1, 0.2], [0.6, 0.4]], threshold: 0.5);

        var pair = Assert.Single(batch.Pairs);
        Assert.Equal(new PreferencePair(1, 0, 1, 0.6, 0.4), pair);
    }

    [Fact]
    public void MarginWeight_Pair_IsExpOfTheConfidenceGap()
    {
        var pair = new PreferencePair(0, 0, 1, 0.95, 0.5);

        Assert.Equal(0.45, pair.ScoreGap, 12);
        Assert.Equal(Math.Exp(0.45), RlsfPairs.MarginWeight(pair), 12);
    }
}
