// Checks TokenStatistics against values worked out by hand from the definitions (small V, a few temperatures).
using Pipeline.Engine.Sampling;

namespace Pipeline.Engine.Tests.Sampling;

public class TokenStatisticsTests
{
    private static TokenStatistics Compute(float[] logits, float temperature, int token) =>
        TokenStatistics.Compute(logits, temperature, token, new float[logits.Length]);

    [Fact]
    public void Compute_ThreeLogitsAtTemperatureOne_MatchesDefinitions()
    {
        // p = softmax(1,2,3) = (0.0900306, 0.2447285, 0.6652410); logsumexp = 3.4076060.
        var s = Compute([1f, 2f, 3f], 1f, 0);

        Assert.Equal(-2.4076060, s.LogProb, 5);
        Assert.Equal(0.0900306, s.Prob, 5);
        Assert.Equal(0.8323956, s.Entropy, 5);
        Assert.Equal(0.3089937, s.SelfCertainty, 5); // 3.4076060 − mean 2 − log 3
        Assert.Equal(0.6652410, s.Top1Prob, 5);
        Assert.Equal(0.2447285, s.Top2Prob, 5);
    }

    [Fact]
    public void Compute_TemperatureTwo_ScalesLogitsBeforeSoftmax()
    {
        // softmax(0.5, 1, 1.5) = (0.1863237, 0.3071959, 0.5064804).
        var s = Compute([1f, 2f, 3f], 2f, 2);

        Assert.Equal(Math.Log(0.5064804), s.LogProb, 5);
        Assert.Equal(1.0201913, s.Entropy, 5);
        Assert.Equal(0.0816574, s.SelfCertainty, 5);
        Assert.Equal(0.5064804, s.Top1Prob, 5);
        Assert.Equal(0.3071959, s.Top2Prob, 5);
    }

    [Fact]
    public void Compute_TiedMaximaAtLowTemperature_ReportsBothAsTopTwo()
    {
        // z/τ = (1, −2, 4, 4): p = (0.0242596, 0.0012078, 0.4872663, 0.4872663).
        var s = Compute([0.5f, -1f, 2f, 2f], 0.5f, 1);

        Assert.Equal(-6.7189445, s.LogProb, 4);
        Assert.Equal(0.7989700, s.Entropy, 5);
        Assert.Equal(1.5826501, s.SelfCertainty, 5);
        Assert.Equal(0.4872663, s.Top1Prob, 5);
        Assert.Equal(0.4872663, s.Top2Prob, 5);
    }

    [Fact]
    public void Compute_UniformLogits_HasZeroSelfCertaintyAndEntropyLogV()
    {
        var s = Compute([7f, 7f, 7f, 7f], 1f, 3);

        Assert.Equal(0.0, s.SelfCertainty, 6);
        Assert.Equal(Math.Log(4), s.Entropy, 5);
        Assert.Equal(Math.Log(0.25), s.LogProb, 6);
        Assert.Equal(0.25, s.Top1Prob, 6);
        Assert.Equal(0.25, s.Top2Prob, 6);
    }

    [Fact]
    public void Compute_LargeLogits_DoesNotOverflow()
    {
        // Same distribution as softmax(0, 1, −1): shifting every logit by 1000 must not change anything.
        var s = Compute([1000f, 1001f, 999f], 1f, 1);

        Assert.Equal(-0.4076060, s.LogProb, 4);
        Assert.Equal(0.8323956, s.Entropy, 3);
        Assert.Equal(0.3089937, s.SelfCertainty, 3);
        Assert.Equal(0.6652410, s.Top1Prob, 5);
    }

    [Fact]
    public void Compute_SingleTokenVocabulary_IsCertainWithNoRunnerUp()
    {
        var s = Compute([3f], 1f, 0);

        Assert.Equal(0f, s.LogProb);
        Assert.Equal(0f, s.Entropy);
        Assert.Equal(1f, s.Top1Prob);
        Assert.Equal(0f, s.Top2Prob);
    }

    [Fact]
    public void Compute_InvalidArguments_Throw()
    {
        float[] logits = [1f, 2f];
        Assert.Throws<ArgumentOutOfRangeException>(() => TokenStatistics.Compute(logits, 0f, 0, new float[2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => TokenStatistics.Compute(logits, 1f, 2, new float[2]));
        Assert.Throws<ArgumentException>(() => TokenStatistics.Compute(logits, 1f, 0, new float[1]));
    }

    [Fact]
    public void Compute_LeavesLogitsUntouched()
    {
        float[] logits = [0.1f, -0.3f, 2.5f];
        float[] copy = [.. logits];

        TokenStatistics.Compute(logits, 0.7f, 2, new float[3]);

        Assert.Equal(copy, logits);
    }
}
