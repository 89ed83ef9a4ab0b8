// Checks the pseudo-label rules of self-training and TTRL: majority and self-certainty Borda winners, and each sample's
// share of the votes its answer received.
using Pipeline.Learning.Signals;

namespace Pipeline.Learning.Tests.Signals;

public class PseudoLabelsTests
{
    // "6" twice at low self-certainty, "5" once at the highest.
    private static readonly string?[] Answers = ["6", "6", "5"];
    private static readonly double[] Certainty = [0.1, 0.2, 0.9];

    [Fact]
    public void Vote_Majority_IgnoresSelfCertainty()
    {
        Assert.Equal("6", PseudoLabels.Vote(Answers, Certainty, PseudoLabelRule.Majority, 1.2).Winner);
    }

    [Fact]
    public void Vote_BordaHighPower_ConfidentMinorityWins_LowPowerKeepsMajority()
    {
        // p = 1.2: "5" 3^1.2 = 3.737, "6" 2^1.2 + 1 = 3.297. p = 0.3: "5" 1.390, "6" 2^0.3 + 1 = 2.231.
        Assert.Equal("5", PseudoLabels.Vote(Answers, Certainty, PseudoLabelRule.SelfCertaintyBorda, 1.2).Winner);
        Assert.Equal("6", PseudoLabels.Vote(Answers, Certainty, PseudoLabelRule.SelfCertaintyBorda, 0.3).Winner);
    }

    [Fact]
    public void AnswerShares_Borda_WeightedShares()
    {
        var shares = PseudoLabels.AnswerShares(Answers, Certainty, PseudoLabelRule.SelfCertaintyBorda, 1.0);

        // Weights 1 ("6", rank 3), 2 ("6", rank 2), 3 ("5", rank 1) of 6 votes.
        Assert.Equal(0.5, shares[0], 12);
        Assert.Equal(0.5, shares[1], 12);
        Assert.Equal(0.5, shares[2], 12);
    }

    [Fact]
    public void AnswerShares_Majority_CountsAbstainersInTheTotal()
    {
        var shares = PseudoLabels.AnswerShares(["7", null, "7", "8"], [0, 0, 0, 0], PseudoLabelRule.Majority, 0);

        Assert.Equal([0.5, 0, 0.5, 0.25], shares);
    }
}
