// Checks single draws: greedy, temperature, top-k and top-p truncation (including edge values) against the
// distributions they define, and that a stream depends only on (seed, sequence index).
using Pipeline.Engine.Sampling;

namespace Pipeline.Engine.Tests.Sampling;

public class TokenSamplerTests
{
    // p = (0.5, 0.3, 0.2) at τ = 1.
    private static readonly float[] Logits = [MathF.Log(0.5f), MathF.Log(0.3f), MathF.Log(0.2f)];

    private static double[] Frequencies(SamplingOptions options, float[] logits, int draws = 20000)
    {
        var sampler = new TokenSampler(logits.Length);
        var random = TokenSampler.StreamFor(options.Seed, 0);
        var counts = new double[logits.Length];
        for (int i = 0; i < draws; i++)
        {
            counts[sampler.Next(logits, options, random)]++;
        }

        return counts.Select(c => c / draws).ToArray();
    }

    private static void AssertFrequencies(double[] expected, double[] actual)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) < 0.015, $"token {i}: expected {expected[i]}, drew {actual[i]}");
        }
    }

    [Fact]
    public void Next_TemperatureZero_ReturnsFirstArgmax()
    {
        var sampler = new TokenSampler(4);

        Assert.Equal(1, sampler.Next([0f, 3f, 3f, 1f], new SamplingOptions { Temperature = 0f }, TokenSampler.StreamFor(1, 0)));
    }

    [Fact]
    public void Next_TemperatureOne_DrawsSoftmax()
    {
        AssertFrequencies([0.5, 0.3, 0.2], Frequencies(new SamplingOptions { Seed = 7 }, Logits));
    }

    [Fact]
    public void Next_TemperatureTwo_DrawsFlattenedSoftmax()
    {
        // softmax(log p / 2) ∝ sqrt(p).
        double[] roots = [Math.Sqrt(0.5), Math.Sqrt(0.3), Math.Sqrt(0.2)];
        AssertFrequencies(roots.Select(r => r / roots.Sum()).ToArray(),
            Frequencies(new SamplingOptions { Temperature = 2f, Seed = 8 }, Logits));
    }

    [Fact]
    public void Next_TopKTwo_RenormalisesOverTheTwoLikeliest()
    {
        AssertFrequencies([0.625, 0.375, 0], Frequencies(new SamplingOptions { TopK = 2, Seed = 9 }, Logits));
    }

    [Fact]
    public void Next_TopKOneWithTies_EqualsGreedy()
    {
        float[] tied = [0f, 2f, 2f, 1f];
        double[] frequencies = Frequencies(new SamplingOptions { TopK = 1, Temperature = 1.5f, Seed = 3 }, tied, draws: 200);

        Assert.Equal([0, 1, 0, 0], frequencies);
    }

    [Fact]
    public void Next_SmallTopKOfALargeVocabulary_DrawsOnlyTheKLikeliestInProportion()
    {
        // 64 logits: ids 10, 20, 30 stand out with p ∝ (4, 2, 1)·e^5; top-3 renormalises over exactly those.
        var logits = new float[64];
        logits[10] = 5f + MathF.Log(4f);
        logits[20] = 5f + MathF.Log(2f);
        logits[30] = 5f;
        logits[40] = 5f - 0.01f;
        double[] frequencies = Frequencies(new SamplingOptions { TopK = 3, Seed = 12 }, logits);

        var expected = new double[64];
        expected[10] = 4.0 / 7;
        expected[20] = 2.0 / 7;
        expected[30] = 1.0 / 7;
        AssertFrequencies(expected, frequencies);
    }

    [Theory]
    [InlineData(0.45f, new[] { 1.0, 0, 0 })]     // the top token alone reaches 0.45
    [InlineData(0.79f, new[] { 0.625, 0.375, 0 })] // 0.5 + 0.3 passes 0.79: the third is left out
    [InlineData(0.81f, new[] { 0.5, 0.3, 0.2 })]  // just above: all three
    [InlineData(1e-6f, new[] { 1.0, 0, 0 })]      // tiny p still keeps one token
    public void Next_TopP_KeepsTheShortestPrefixReachingP(float topP, double[] expected)
    {
        AssertFrequencies(expected, Frequencies(new SamplingOptions { TopP = topP, Seed = 10 }, Logits));
    }

    [Fact]
    public void Next_TopKThenTopP_AppliesTopPToTheTruncatedDistribution()
    {
        // Top-2 renormalised: (0.625, 0.375); p = 0.6 is reached by the first alone.
        AssertFrequencies([1, 0, 0], Frequencies(new SamplingOptions { TopK = 2, TopP = 0.6f, Seed = 11 }, Logits));
    }

    [Fact]
    public void StreamFor_SameSeedAndIndex_RepeatsAndOthersDiffer()
    {
        ulong[] Draw(ulong seed, long index)
        {
            var random = TokenSampler.StreamFor(seed, index);
            return Enumerable.Range(0, 4).Select(_ => random.NextUInt64()).ToArray();
        }

        Assert.Equal(Draw(5, 3), Draw(5, 3));
        Assert.NotEqual(Draw(5, 3), Draw(5, 4));
        Assert.NotEqual(Draw(5, 3), Draw(6, 3));
    }

    [Fact]
    public void Validate_OutOfRangeSettings_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SamplingOptions { Temperature = -1f }.Validate(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SamplingOptions { TopP = 0f }.Validate(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SamplingOptions { TopK = -1 }.Validate(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SamplingOptions { MaxNewTokens = 0 }.Validate(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SamplingOptions { StopTokens = [3] }.Validate(3));
    }
}
