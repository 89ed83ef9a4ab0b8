// Checks DPO and IRPO: hand values, diagnostics, and per-token gradients against finite differences.
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
        Assert.Equal(0.15, result.Margin, 6);
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
    [InlineData(0.1, 0.0)]
    [InlineData(0.5, 1.0)]
    [InlineData(2.0, 0.3)]
    public void Compute_Gradients_MatchFiniteDifferences(double beta, double alpha)
    {
        var rng = new Random(7);
        float[][] chosen = [FiniteDifference.RandomLogProbs(rng, 4), FiniteDifference.RandomLogProbs(rng, 2)];
        float[][] rejected = [FiniteDifference.RandomLogProbs(rng, 3), FiniteDifference.RandomLogProbs(rng, 5)];
        double[] refChosen = [-6, -3.5], refRejected = [-4, -9];
        List<PreferenceLogProbs> Pairs() =>
            [.. Enumerable.Range(0, 2).Select(k => new PreferenceLogProbs(chosen[k], rejected[k], refChosen[k], refRejected[k]))];

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
}
