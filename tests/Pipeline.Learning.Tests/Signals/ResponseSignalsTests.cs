// Checks the response signals against hand values, including the alignment of each token with the distribution that
// produced it (row t − 1) and the sampling temperature.
using Pipeline.Learning;
using Pipeline.Learning.Signals;

namespace Pipeline.Learning.Tests.Signals;

public class ResponseSignalsTests
{
    // Four positions over V = 3. Tokens 0,1 are the prompt; the response is tokens 2 and 0 (positions 2 and 3), which
    // rows 1 and 2 produced. Row 3 (after the last token) is never used.
    private static readonly float[] Logits = [0, 0, 0, 1, 2, 3, 3, 0, 0, 0, 5, 0];
    private static readonly int[] Tokens = [0, 1, 2, 0];

    [Fact]
    public void Compute_TemperatureOne_ScoresEachTokenWithThePreviousRow()
    {
        var s = ResponseSignals.Compute(Logits, 3, Tokens, 2, 1f);

        Assert.Equal(2, s.Tokens.Count);
        Assert.Equal(0.6652410, s.Tokens[0].Prob, 5); // softmax(1,2,3)[2]
        Assert.Equal(0.9094430, s.Tokens[1].Prob, 5); // softmax(3,0,0)[0]
        Assert.Equal(0.6526522, s.SelfCertainty, 5);
        Assert.Equal(0.5994948, s.MeanEntropy, 5);
        Assert.Equal(1.2856500, s.Perplexity, 5);
        Assert.Equal(-0.5025289, s.SumLogProb, 5);
    }

    [Fact]
    public void Compute_TemperatureOne_DiffersFromTheOffByOneAlignment()
    {
        // Pairing token t with row t (the public-code pitfall) would give SC 1.6222088, perplexity 57.64.
        var s = ResponseSignals.Compute(Logits, 3, Tokens, 2, 1f);

        Assert.NotEqual(1.6222088, s.SelfCertainty, 3);
        Assert.NotEqual(57.636407, s.Perplexity, 1);
        Assert.Equal(0.6526522, s.SelfCertainty, 5);
    }

    [Fact]
    public void Compute_TemperatureTwo_ScoresTheTemperedDistribution()
    {
        var s = ResponseSignals.Compute(Logits, 3, Tokens, 2, 2f);

        Assert.Equal(0.5064804, s.Tokens[0].Prob, 5);
        Assert.Equal(0.6914385, s.Tokens[1].Prob, 5);
        Assert.Equal(0.1760131, s.SelfCertainty, 5);
        Assert.Equal(0.9260074, s.MeanEntropy, 5);
        Assert.Equal(1.6898257, s.Perplexity, 5);
    }

    [Fact]
    public void AnswerSpanConfidence_ChosenProbAndTopTwoMargin_AverageOverTheSpan()
    {
        var s = ResponseSignals.Compute(Logits, 3, Tokens, 2, 1f);

        Assert.Equal((0.6652410 + 0.9094430) / 2, s.AnswerSpanConfidence(new IndexRange(0, 2)), 5);
        Assert.Equal(0.9094430, s.AnswerSpanConfidence(new IndexRange(1, 1)), 5);
        Assert.Equal(0.4205125, s.AnswerSpanConfidence(new IndexRange(0, 1), AnswerConfidence.TopTwoMargin), 5);
        Assert.Equal((0.4205125 + 0.8641645) / 2, s.AnswerSpanConfidence(new IndexRange(0, 2), AnswerConfidence.TopTwoMargin), 5);
    }

    [Fact]
    public void AnswerSpanConfidence_NoSpan_IsZero()
    {
        var s = ResponseSignals.Compute(Logits, 3, Tokens, 2, 1f);

        Assert.Equal(0, s.AnswerSpanConfidence(null));
        Assert.Equal(0, s.AnswerSpanConfidence(new IndexRange(1, 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => s.AnswerSpanConfidence(new IndexRange(1, 2)));
    }

    [Fact]
    public void Compute_OnlyNeedsRowsUpToTheLastButOne()
    {
        var s = ResponseSignals.Compute(Logits.AsSpan(0, 9), 3, Tokens, 2, 1f);

        Assert.Equal(0.6526522, s.SelfCertainty, 5);
        Assert.Throws<ArgumentException>(() => ResponseSignals.Compute(Logits.AsSpan(0, 8), 3, Tokens, 2, 1f));
    }

    [Fact]
    public void FromTokens_SameStatistics_SameSignals()
    {
        var computed = ResponseSignals.Compute(Logits, 3, Tokens, 2, 1f);

        var rebuilt = ResponseSignals.FromTokens(computed.Tokens);

        Assert.Equal(computed.Tokens, rebuilt.Tokens);
        Assert.Equal(computed.SelfCertainty, rebuilt.SelfCertainty);
        Assert.Equal(computed.Perplexity, rebuilt.Perplexity);
        Assert.Throws<ArgumentException>(() => ResponseSignals.FromTokens([]));
    }

    [Fact]
    public void Compute_NoPromptOrNoResponse_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ResponseSignals.Compute(Logits, 3, Tokens, 0, 1f));
        Assert.Throws<ArgumentException>(() => ResponseSignals.Compute(Logits, 3, Tokens, 4, 1f));
    }
}
