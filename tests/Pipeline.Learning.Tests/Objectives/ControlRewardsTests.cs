// Checks the control rewards: the Bernoulli(½) coin is deterministic per (seed, prompt, sample) and fair, and TTRL's
// majority reward is 1 only for a sample whose answer is the pseudo-label.
using Pipeline.Learning.Objectives;

namespace Pipeline.Learning.Tests.Objectives;

public class ControlRewardsTests
{
    [Fact]
    public void Bernoulli_SameInputs_SameDraw_ValuesAreZeroOrOne()
    {
        for (int s = 0; s < 20; s++)
        {
            double r = ControlRewards.Bernoulli(4, "arith/d2s3/campaign/7", s);
            Assert.Contains(r, new[] { 0.0, 1.0 });
            Assert.Equal(r, ControlRewards.Bernoulli(4, "arith/d2s3/campaign/7", s));
        }
    }

    [Fact]
    public void Bernoulli_ManyDraws_MeanNearHalf_NotTiedToTheSample()
    {
        var draws = Enumerable.Range(0, 4000).Select(i => ControlRewards.Bernoulli(1, $"p{i / 8}", i % 8)).ToList();

        // Binomial(4000, ½): standard deviation 0.0079 of the mean; 4σ bounds.
        Assert.InRange(draws.Average(), 0.468, 0.532);
        // Within a prompt's 8 samples both values occur in most groups (all equal has probability 2/256).
        int mixed = Enumerable.Range(0, 500).Count(g => draws.Skip(8 * g).Take(8).Distinct().Count() == 2);
        Assert.True(mixed > 480, $"{mixed} of 500 groups mixed");
        Assert.NotEqual(draws, Enumerable.Range(0, 4000).Select(i => ControlRewards.Bernoulli(2, $"p{i / 8}", i % 8)).ToList());
    }

    [Theory]
    [InlineData("12", "12", 1)]
    [InlineData("12", "13", 0)]
    [InlineData(null, "12", 0)]
    [InlineData("12", null, 0)]
    [InlineData(null, null, 0)]
    public void MatchesPseudoLabel_OneOnlyForTheLabel(string? answer, string? label, double expected)
    {
        Assert.Equal(expected, ControlRewards.MatchesPseudoLabel(answer, label));
    }
}
