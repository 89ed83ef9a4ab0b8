// Checks self-rewarding pairs: best vs worst, ties dropped and counted, unscored candidates, length control.
using Pipeline.Learning.Pairs;

namespace Pipeline.Learning.Tests.Pairs;

public class SelfRewardingPairsTests
{
    private static JudgedCandidate C(double? score, int length = 10) => new(score, length);

    [Fact]
    public void Build_HighestAgainstLowest_RecordsScores()
    {
        var batch = SelfRewardingPairs.Build([[C(3), C(4.5), C(1), C(2)]]);

        Assert.Equal(new PreferencePair(0, 1, 2, 4.5, 1), Assert.Single(batch.Pairs));
        Assert.Equal(0, batch.TiesDropped);
    }

    [Fact]
    public void Build_AllEqual_IsADroppedTie()
    {
        var batch = SelfRewardingPairs.Build([[C(3), C(3), C(3)], [C(5), C(0)]]);

        Assert.Equal(1, batch.TiesDropped);
        Assert.Equal(1, batch.GroupsWithoutPair);
        Assert.Equal(1, Assert.Single(batch.Pairs).Group);
    }

    [Fact]
    public void Build_SharedBestOrWorst_LowestIndexWins()
    {
        var pair = Assert.Single(SelfRewardingPairs.Build([[C(1), C(5), C(1), C(5)]]).Pairs);

        Assert.Equal((1, 0), (pair.Chosen, pair.Rejected));
    }

    [Fact]
    public void Build_UnscoredCandidates_AreSkippedAndCounted()
    {
        var batch = SelfRewardingPairs.Build([[C(null), C(2), C(4)], [C(null), C(3)]]);

        Assert.Equal(new PreferencePair(0, 2, 1, 4, 2), Assert.Single(batch.Pairs));
        Assert.Equal(2, batch.UnscoredCandidates);
        Assert.Equal(1, batch.GroupsWithoutPair);
        Assert.Equal(0, batch.TiesDropped);
    }

    [Fact]
    public void Build_LengthControl_ChoosesShortestWithinTheBand()
    {
        // Best 5 (length 90); 4.6 (length 30) is within a band of 0.5, so it is chosen; 4.4 (length 10) is not.
        var group = new[] { C(5, 90), C(4.6, 30), C(4.4, 10), C(1, 20) };

        var controlled = Assert.Single(SelfRewardingPairs.Build([group], lengthBand: 0.5).Pairs);
        var plain = Assert.Single(SelfRewardingPairs.Build([group]).Pairs);

        Assert.Equal((1, 3, 4.6, 1.0), (controlled.Chosen, controlled.Rejected, controlled.ChosenScore, controlled.RejectedScore));
        Assert.Equal(3.6, controlled.ScoreGap, 12);
        Assert.Equal(0, plain.Chosen);
    }

    [Fact]
    public void Build_LengthControl_WorstWithinTheBand_IsATie()
    {
        var batch = SelfRewardingPairs.Build([[C(5, 50), C(4.5, 10)]], lengthBand: 0.5);

        Assert.Empty(batch.Pairs);
        Assert.Equal(1, batch.TiesDropped);
    }
}
