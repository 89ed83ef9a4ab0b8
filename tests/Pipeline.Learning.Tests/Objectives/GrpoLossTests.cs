// Checks GRPO: advantages (population std), the clipped surrogate with k3 KL against hand values under both token
// averagings, zero advantage for equal rewards, and gradients against finite differences in clipped and unclipped regions.
using Pipeline.Learning.Objectives;

namespace Pipeline.Learning.Tests.Objectives;

public class GrpoLossTests
{
    [Fact]
    public void Advantages_UsePopulationStandardDeviation()
    {
        // mean 1/3, population std √(2/9) = 0.4714045 (the sample std √(1/3) would give 1.1545 for the first).
        var a = GrpoLoss.Advantages([1, 0, 0]);

        Assert.Equal(1.4139136, a[0], 6);
        Assert.Equal(-0.7069568, a[1], 6);
        Assert.Equal(-0.7069568, a[2], 6);
    }

    [Theory]
    [InlineData(new[] { 0.7, 0.7, 0.7, 0.7 })]
    [InlineData(new[] { 0.0, 0.0 })]
    [InlineData(new[] { 3.0 })]
    public void Advantages_EqualRewards_AreZero(double[] rewards)
    {
        Assert.All(GrpoLoss.Advantages(rewards), a => Assert.Equal(0.0, a));
    }

    [Fact]
    public void Compute_EqualRewards_OnlyTheKlTermRemains()
    {
        var seq = new GrpoSequence([-1f, -2f], [-1.5f, -2f], [-1.2f, -1.5f]);
        var result = GrpoLoss.Compute([new GrpoGroup([1, 1], [seq, seq])], new GrpoOptions(KlBeta: 0));

        Assert.Equal([0.0, 0.0], result.Advantages);
        Assert.Equal(0.0, result.Loss);
        Assert.All(result.Gradients.SelectMany(g => g), g => Assert.Equal(0f, g));
    }

    // Rewards (1, 0): A = ±0.9998. Response 0 (A > 0): ratios e^0.1 and 1, both inside [0.8, 1.2]. Response 1 (A < 0):
    // ratio e^0.5 > 1.2 (for A < 0 the unclipped term is the active one), e^−0.5 < 0.8 (clipped: no policy gradient), and 1.
    private static GrpoGroup HandGroup() => new([1, 0],
    [
        new GrpoSequence([-1f, -2f], [-1.1f, -2f], [-1.2f, -1.5f]),
        new GrpoSequence([-0.5f, -3f, -1f], [-1f, -2.5f, -1f], [-0.5f, -3f, -0.9f]),
    ]);

    [Fact]
    public void Compute_SequenceMean_MatchesHandValues()
    {
        var result = GrpoLoss.Compute([HandGroup()], new GrpoOptions(Averaging: TokenAveraging.SequenceMean));

        Assert.Equal(0.0486981, result.Loss, 6);
        AssertClose([-0.2760109, -0.2507609], result.Gradients[0]);
        AssertClose([0.2747319, 0.0, 0.1665457], result.Gradients[1]);
        Assert.Equal(0.2, result.ClipFraction, 12);
    }

    [Fact]
    public void Compute_TokenMean_MatchesHandValues()
    {
        var result = GrpoLoss.Compute([HandGroup()], new GrpoOptions(Averaging: TokenAveraging.TokenMean));

        Assert.Equal(0.2688290, result.Loss, 6);
        AssertClose([-0.2208087, -0.2006087], result.Gradients[0]);
        AssertClose([0.3296783, 0.0, 0.1998548], result.Gradients[1]);
    }

    [Fact]
    public void Compute_MeanKl_IsTheMeanK3()
    {
        var result = GrpoLoss.Compute([HandGroup()], new GrpoOptions());

        // k3 per token: 0.0187308, 0.1487213, 0, 0, 0.0051709.
        Assert.Equal((0.0187308 + 0.1487213 + 0.0051709) / 5, result.MeanKl, 6);
    }

    [Theory]
    [InlineData(TokenAveraging.SequenceMean)]
    [InlineData(TokenAveraging.TokenMean)]
    public void Compute_Gradients_MatchFiniteDifferences(TokenAveraging averaging)
    {
        // Two groups; old log-probs chosen so ratios land well inside and well outside the clip range for both signs of A.
        var rng = new Random(3);
        float[][] policy = [.. new[] { 3, 4, 2, 5, 1 }.Select(n => FiniteDifference.RandomLogProbs(rng, n))];
        float[][] shifts = [.. policy.Select(p => p.Select(_ => (float)(rng.Next(3) switch { 0 => -0.6, 1 => 0.05, _ => 0.6 })).ToArray())];
        float[][] old = [.. policy.Select((p, s) => p.Zip(shifts[s], (x, d) => x + d).ToArray())];
        float[][] reference = [.. policy.Select(p => p.Select(x => x + (float)(rng.NextDouble() - 0.5)).ToArray())];
        double[][] rewards = [[1, 0, 0.5], [0.2, 0.9]];
        var options = new GrpoOptions(KlBeta: 0.1, Averaging: averaging);
        List<GrpoGroup> Groups() =>
        [
            new(rewards[0], [.. Enumerable.Range(0, 3).Select(s => new GrpoSequence(policy[s], old[s], reference[s]))]),
            new(rewards[1], [.. Enumerable.Range(3, 2).Select(s => new GrpoSequence(policy[s], old[s], reference[s]))]),
        ];

        var result = GrpoLoss.Compute(Groups(), options);

        Assert.InRange(result.ClipFraction, 0.05, 0.95); // both regions are exercised
        FiniteDifference.AssertGradients(policy, result.Gradients, () => GrpoLoss.Compute(Groups(), options).Loss);
    }

    [Fact]
    public void Compute_NoOldLogProbs_MeansRatioOne()
    {
        var withOld = GrpoLoss.Compute([new GrpoGroup([1, 0], [new([-1f], [-1f], null), new([-2f], [-2f], null)])], new GrpoOptions(KlBeta: 0));
        var withoutOld = GrpoLoss.Compute([new GrpoGroup([1, 0], [new([-1f], null, null), new([-2f], null, null)])], new GrpoOptions(KlBeta: 0));

        Assert.Equal(withOld.Loss, withoutOld.Loss);
        Assert.Equal(0.0, withoutOld.Loss, 12); // −(A + (−A)) / 2
        Assert.Equal(-0.9998 / 2, withoutOld.Gradients[0][0], 4);
    }

    [Fact]
    public void Compute_MissingReferenceWithKl_Throws()
    {
        Assert.Throws<ArgumentException>(() =>
            GrpoLoss.Compute([new GrpoGroup([1], [new([-1f], null, null)])], new GrpoOptions(KlBeta: 0.005)));
    }

    private static void AssertClose(double[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 6);
    }
}
