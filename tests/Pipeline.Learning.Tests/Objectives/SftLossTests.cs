// Checks the SFT loss under both token averagings against hand values and finite differences.
using Pipeline.Learning.Objectives;

namespace Pipeline.Learning.Tests.Objectives;

public class SftLossTests
{
    [Fact]
    public void Compute_TokenMean_IsMeanNllOverAllTokens()
    {
        var result = SftLoss.Compute([[-1f, -2f], [-3f]], TokenAveraging.TokenMean);

        Assert.Equal(2.0, result.Loss, 6);
        Assert.All(result.Gradients.SelectMany(g => g), g => Assert.Equal(-1.0 / 3, g, 6));
    }

    [Fact]
    public void Compute_SequenceMean_WeighsSequencesEqually()
    {
        var result = SftLoss.Compute([[-1f, -2f], [-3f]], TokenAveraging.SequenceMean);

        Assert.Equal((1.5 + 3) / 2, result.Loss, 6);
        Assert.Equal([-0.25f, -0.25f], result.Gradients[0]);
        Assert.Equal([-0.5f], result.Gradients[1]);
    }

    [Theory]
    [InlineData(TokenAveraging.TokenMean)]
    [InlineData(TokenAveraging.SequenceMean)]
    public void Compute_Gradients_MatchFiniteDifferences(TokenAveraging averaging)
    {
        var rng = new Random(1);
        float[][] logProbs = [FiniteDifference.RandomLogProbs(rng, 3), FiniteDifference.RandomLogProbs(rng, 5)];

        var result = SftLoss.Compute(logProbs, averaging);

        FiniteDifference.AssertGradients(logProbs, result.Gradients, () => SftLoss.Compute(logProbs, averaging).Loss);
    }

    [Fact]
    public void Compute_EmptySequence_Throws()
    {
        Assert.Throws<ArgumentException>(() => SftLoss.Compute([[-1f], []]));
        Assert.Throws<ArgumentException>(() => SftLoss.Compute([]));
    }
}
