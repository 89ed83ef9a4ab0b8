// Checks SCoRe's two-stage loss: which rewards each attempt is trained on, which KL coefficient holds each attempt,
// that stage I trains the first attempt only through its KL, that stage II's bonus ranks a correction above a kept
// answer, and that the whole is the mean over all attempts of the per-attempt GRPO terms.
using Pipeline.Learning.Objectives;

namespace Pipeline.Learning.Tests.Objectives;

public sealed class SCoReLossTests
{
    private static readonly SCoReOptions Options = new(Alpha: 10, FirstAttemptKlBeta: 0.1, KlBeta: 0.01);

    [Fact]
    public void KlBetas_StageOne_StrongOnFirstAttemptSmallOnSecond()
    {
        Assert.Equal((0.1, 0.01), SCoReLoss.KlBetas(SCoReStage.One, Options));
        Assert.Equal((0.01, 0.01), SCoReLoss.KlBetas(SCoReStage.Two, Options));
    }

    [Fact]
    public void Rewards_StageOne_FirstAttemptUnrewardedSecondByItsVerifier()
    {
        var (first, second) = SCoReLoss.Rewards(SCoReStage.One, [1, 0, 1, 0], [1, 1, 0, 0], alpha: 10);

        Assert.Equal([0.0, 0.0, 0.0, 0.0], first);
        Assert.Equal([1.0, 1.0, 0.0, 0.0], second);
    }

    [Fact]
    public void Rewards_StageTwo_BonusOrdersCorrectionKeptAnswerAndBreakage()
    {
        // (r1, r2): right kept, corrected, wrong kept, broken.
        var (first, second) = SCoReLoss.Rewards(SCoReStage.Two, [1, 0, 0, 1], [1, 1, 0, 0], alpha: 10);

        Assert.Equal([1.0, 0.0, 0.0, 1.0], first);
        Assert.Equal([1.0, 11.0, 0.0, -10.0], second);
    }

    [Fact]
    public void Compute_StageOne_FirstAttemptGradientIsOnlyItsStrongKl()
    {
        // First attempts rewarded (1, 0) by the verifier, yet stage I gives them no policy gradient: only β₂·(1 − e^(ref − logp)).
        var group = Group(firstRewards: [1, 0], secondRewards: [0, 0]);

        var result = SCoReLoss.Compute([group], SCoReStage.One, Options);

        Assert.Equal([0.0, 0.0], result.FirstAdvantages);
        Assert.Equal([0.0, 0.0], result.SecondAdvantages);
        // Four attempts, each a sequence mean over its 2 tokens: weight 1/(2·2) inside its part, times the part's share ½.
        for (int s = 0; s < 2; s++)
            for (int t = 0; t < 2; t++)
            {
                var seq = group.FirstAttempts[s];
                double expected = 0.5 * 0.25 * 0.1 * (1 - Math.Exp(seq.ReferenceLogProbs![t] - seq.LogProbs[t]));
                Assert.Equal(expected, result.FirstGradients[s][t], 6);
                var second = group.SecondAttempts[s];
                Assert.Equal(0.5 * 0.25 * 0.01 * (1 - Math.Exp(second.ReferenceLogProbs![t] - second.LogProbs[t])), result.SecondGradients[s][t], 6);
            }
    }

    [Fact]
    public void Compute_AtTheReferenceWithEqualRewards_NoGradient()
    {
        var atReference = new GrpoSequence([-1f, -2f], null, [-1f, -2f]);
        var group = new SCoReGroup([1, 1], [0, 0], [atReference, atReference], [atReference, atReference]);

        var result = SCoReLoss.Compute([group], SCoReStage.One, Options);

        Assert.Equal(0.0, result.Loss, 12);
        Assert.Equal(0.0, result.FirstKl, 12);
        Assert.All(result.FirstGradients.Concat(result.SecondGradients).SelectMany(g => g), g => Assert.Equal(0f, g));
    }

    [Fact]
    public void Compute_StageTwo_CorrectionGetsTheLargestAdvantageAndBreakageTheSmallest()
    {
        var group = Group(firstRewards: [1, 0, 0, 1], secondRewards: [1, 1, 0, 0]);

        var result = SCoReLoss.Compute([group], SCoReStage.Two, Options);

        var a = result.SecondAdvantages;
        Assert.True(a[1] > a[0] && a[0] > a[2] && a[2] > a[3], string.Join(", ", a));
        // Stage II trains the first attempts on their own reward: right ones up, wrong ones down.
        Assert.True(result.FirstAdvantages[0] > 0 && result.FirstAdvantages[1] < 0);
        // A positive advantage lowers the loss as log p rises: a negative gradient on the corrected second attempt.
        Assert.All(result.SecondGradients[1], g => Assert.True(g < 0));
        Assert.All(result.SecondGradients[3], g => Assert.True(g > 0));
    }

    [Fact]
    public void Compute_IsTheMeanOverAllAttemptsOfThePerAttemptGrpoTerms()
    {
        var group = Group(firstRewards: [1, 0], secondRewards: [0, 1]);

        var result = SCoReLoss.Compute([group], SCoReStage.Two, Options);

        var (firstRewards, secondRewards) = SCoReLoss.Rewards(SCoReStage.Two, group.FirstRewards, group.SecondRewards, 10);
        var first = GrpoLoss.Compute([new GrpoGroup(firstRewards, group.FirstAttempts)], new GrpoOptions(KlBeta: 0.01));
        var second = GrpoLoss.Compute([new GrpoGroup(secondRewards, group.SecondAttempts)], new GrpoOptions(KlBeta: 0.01));
        Assert.Equal(0.5 * first.Loss + 0.5 * second.Loss, result.Loss, 10);
        Assert.Equal(0.5 * first.Gradients[1][0], result.FirstGradients[1][0], 6);
        Assert.Equal(0.5 * second.Gradients[0][1], result.SecondGradients[0][1], 6);
    }

    [Fact]
    public void Compute_SecondAttemptMissing_Throws()
    {
        var seq = new GrpoSequence([-1f], null, [-1f]);

        Assert.Throws<ArgumentException>(() => SCoReLoss.Compute([new SCoReGroup([1, 0], [1], [seq, seq], [seq])], SCoReStage.Two, Options));
    }

    /// <summary>Attempts with distinct log-probs off their reference, so both the reward and the KL terms have something to move.</summary>
    private static SCoReGroup Group(double[] firstRewards, double[] secondRewards)
    {
        GrpoSequence Sequence(int i, float shift) => new([-1f - 0.1f * i, -2f + shift], null, [-1.2f + 0.05f * i, -1.5f]);
        return new SCoReGroup(firstRewards, secondRewards,
            firstRewards.Select((_, i) => Sequence(i, 0f)).ToList(),
            secondRewards.Select((_, i) => Sequence(i, 0.3f)).ToList());
    }
}
