// Checks DPO and IRPO: hand values, diagnostics, and per-token gradients against finite differences, unweighted and with
// per-pair weights (RLSF's margins), and that a bad weight is refused.
using Pipeline.Learning.Objectives;

namespace Pipeline.Learning.Tests.Objectives;

public class DpoLossTests
{
    // Chosen Σ = −3 vs reference −4; rejected Σ = −2 vs reference −1.5: h = 0.1·(1 − (−0.5)) = 0.15.
    private static PreferenceLogProbs HandPair() => new([-1f, -2f], [-2f], -4, -1.5);

    [Fact]
    public void Compute_Dpo_MatchesHandValues()
    {
        var result = DpoLoss.Compute([HandPair()]);

        Assert.Equal(0.6209570, result.Loss, 6); // log(1 + e^−0.15)
        Assert.Equal([-0.0462570f, -0.0462570f], result.ChosenGradients[0], (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.Equal(0.0462570, result.RejectedGradients[0][0], 6);
        Assert.Equal(0.1, result.ChosenReward, 6);
        Assert.Equal(-0.05, result.RejectedReward, 6);
        Assert.Equal(0.15, result.RewardGap, 6);
        Assert.Equal(1.0, result.Accuracy);
        Assert.Equal(0.0, result.NllTerm);
    }

    [Fact]
    public void Compute_Irpo_AddsLengthNormalisedNllOfChosen()
    {
        var result = DpoLoss.Compute([HandPair()], nllWeight: 1);

        Assert.Equal(0.6209570 + 1.5, result.Loss, 6); // NLL(y_w)/|y_w| = 3 / 2
        Assert.Equal(1.5, result.NllTerm, 6);
        Assert.Equal(-0.5462570, result.ChosenGradients[0][1], 6);
        Assert.Equal(0.0462570, result.RejectedGradients[0][0], 6);
    }

    [Fact]
    public void Compute_LosingPair_HasZeroAccuracyAndLossAboveLog2()
    {
        var result = DpoLoss.Compute([new PreferenceLogProbs([-5f], [-1f], -1, -1)]);

        Assert.Equal(0.0, result.Accuracy);
        Assert.True(result.Loss > Math.Log(2));
        Assert.True(result.ChosenGradients[0][0] < 0 && result.RejectedGradients[0][0] > 0);
    }

    [Theory]
    [InlineData(0.1, 0.0, 1.0)]
    [InlineData(0.5, 1.0, 1.0)]
    [InlineData(2.0, 0.3, 1.0)]
    [InlineData(0.1, 0.0, 1.8221188)] // RLSF margins: exp(0.6) against the second pair's 1.
    [InlineData(0.5, 1.0, 2.7182818)]
    [InlineData(2.0, 0.3, 0.25)]
    public void Compute_Gradients_MatchFiniteDifferences(double beta, double alpha, double firstWeight)
    {
        var rng = new Random(7);
        float[][] chosen = [FiniteDifference.RandomLogProbs(rng, 4), FiniteDifference.RandomLogProbs(rng, 2)];
        float[][] rejected = [FiniteDifference.RandomLogProbs(rng, 3), FiniteDifference.RandomLogProbs(rng, 5)];
        double[] refChosen = [-6, -3.5], refRejected = [-4, -9];
        List<PreferenceLogProbs> Pairs() =>
            [.. Enumerable.Range(0, 2).Select(k => new PreferenceLogProbs(chosen[k], rejected[k], refChosen[k], refRejected[k], k == 0 ? firstWeight : 1))];

        var result = DpoLoss.Compute(Pairs(), beta, alpha);

        FiniteDifference.AssertGradients(chosen, result.ChosenGradients, () => DpoLoss.Compute(Pairs(), beta, alpha).Loss);
        FiniteDifference.AssertGradients(rejected, result.RejectedGradients, () => DpoLoss.Compute(Pairs(), beta, alpha).Loss);
    }

    [Fact]
    public void Compute_LargeMargins_StayFinite()
    {
        var result = DpoLoss.Compute([new PreferenceLogProbs([-1f], [-5000f], 0, 0), new PreferenceLogProbs([-5000f], [-1f], 0, 0)], beta: 1);

        Assert.True(double.IsFinite(result.Loss));
        Assert.Equal(4999.0 / 2, result.Loss, 3);
    }

    // Pair B: chosen Σ = −5, rejected Σ = −1, both references −1: h = 0.1·(−4 − 0) = −0.4, a pair the policy gets wrong.
    private static PreferenceLogProbs LosingPair(double weight = 1) => new([-5f], [-1f], -1, -1, weight);

    [Fact]
    public void Compute_WeightedPairs_MatchesHandValues()
    {
        var result = DpoLoss.Compute([HandPair() with { Weight = 2 }, LosingPair(0.5)]);

        // (2·log(1 + e^−0.15) + 0.5·log(1 + e^0.4)) / 2.5 = (2·0.6209570 + 0.5·0.9130153) / 2.5.
        Assert.Equal(0.6793687, result.Loss, 6);
        // Pair A per token: 2·(−0.1·σ(−0.15))/2.5; pair B: 0.5·(−0.1·σ(0.4))/2.5; rejected tokens the opposite.
        Assert.All(result.ChosenGradients[0], g => Assert.Equal(-0.0370056, g, 6));
        Assert.Equal(0.0370056, result.RejectedGradients[0][0], 6);
        Assert.Equal(-0.0119738, result.ChosenGradients[1][0], 6);
        Assert.Equal(0.0119738, result.RejectedGradients[1][0], 6);
        // Diagnostics stay plain means over pairs: one of two pairs is right.
        Assert.Equal(0.5, result.Accuracy);
        Assert.Equal((0.1 + -0.4) / 2, result.ChosenReward, 6);
    }

    [Fact]
    public void Compute_UnitWeights_BitIdenticalToPlainMeanOfPairs()
    {
        var alone = new[] { HandPair(), LosingPair() }.Select(p => DpoLoss.Compute([p], nllWeight: 1)).ToList();

        var both = DpoLoss.Compute([HandPair() with { Weight = 1 }, LosingPair(1)], nllWeight: 1);

        // The unweighted batch loss is the plain mean, its gradients each pair's own halved (exact in floating point).
        Assert.Equal((alone[0].Loss + alone[1].Loss) / 2, both.Loss);
        Assert.Equal((alone[0].NllTerm + alone[1].NllTerm) / 2, both.NllTerm);
        for (int k = 0; k < 2; k++)
        {
            Assert.Equal(alone[k].ChosenGradients[0].Select(g => g / 2), both.ChosenGradients[k]);
            Assert.Equal(alone[k].RejectedGradients[0].Select(g => g / 2), both.RejectedGradients[k]);
        }
    }

    [Fact]
    public void Compute_UniformWeights_SameAsUnitWeights()
    {
        var unit = DpoLoss.Compute([HandPair(), LosingPair()], nllWeight: 0.5);

        var scaled = DpoLoss.Compute([HandPair() with { Weight = 7.3 }, LosingPair(7.3)], nllWeight: 0.5);

        // Weights only rescale pairs relative to each other: a common factor changes nothing but rounding.
        Assert.Equal(unit.Loss, scaled.Loss, 12);
        Assert.Equal(unit.NllTerm, scaled.NllTerm, 12);
        Assert.Equal(unit.ChosenGradients[1][0], scaled.ChosenGradients[1][0], 6);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Compute_NotPositiveOrNotFiniteWeight_ThrowsArgumentException(double weight)
    {
        var error = Assert.Throws<ArgumentException>(() => DpoLoss.Compute([HandPair(), LosingPair(weight)]));

        Assert.Equal("pairs", error.ParamName);
        Assert.Contains("Pair 1 has weight", error.Message);
    }
}
