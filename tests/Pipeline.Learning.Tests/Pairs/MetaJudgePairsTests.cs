// Checks Meta-Rewarding's judgement-pair rule: both orders must agree beyond the band, a position preference is a tie of
// its own kind, and the band around one half makes weak preferences ties.
using Pipeline.Learning.Pairs;

namespace Pipeline.Learning.Tests.Pairs;

public sealed class MetaJudgePairsTests
{
    [Theory]
    [InlineData(0.9, 0.8, 0.0, MetaJudgeOutcome.FirstBetter)]
    [InlineData(0.1, 0.3, 0.0, MetaJudgeOutcome.SecondBetter)]
    [InlineData(0.9, 0.2, 0.0, MetaJudgeOutcome.PositionBias)] // prefers whatever is shown as A
    [InlineData(0.2, 0.9, 0.0, MetaJudgeOutcome.PositionBias)] // prefers whatever is shown as B
    [InlineData(0.6, 0.55, 0.1, MetaJudgeOutcome.Tie)]         // agree, but the mean 0.575 is inside 0.5 ± 0.1
    [InlineData(0.7, 0.65, 0.1, MetaJudgeOutcome.FirstBetter)]
    [InlineData(0.5, 0.5, 0.0, MetaJudgeOutcome.Tie)]
    [InlineData(0.5, 0.9, 0.0, MetaJudgeOutcome.Tie)]          // one order undecided: not both above ½
    public void Decide_BothOrders_AgreeBeyondTheBandOrTie(double shownFirst, double shownSecond, double band, MetaJudgeOutcome expected)
    {
        Assert.Equal(expected, MetaJudgePairs.Decide(shownFirst, shownSecond, band));
    }

    [Fact]
    public void Decide_SwappingTheJudgements_SwapsTheWinner()
    {
        // The same comparison seen from the other judgement: each order's probability becomes its complement.
        Assert.Equal(MetaJudgeOutcome.FirstBetter, MetaJudgePairs.Decide(0.8, 0.7));
        Assert.Equal(MetaJudgeOutcome.SecondBetter, MetaJudgePairs.Decide(1 - 0.8, 1 - 0.7));
    }

    [Fact]
    public void Decide_BandOutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MetaJudgePairs.Decide(0.9, 0.9, 0.5));
    }
}
