// SFT on the tiny model: one step changes the weights and lowers the NLL of the trained responses; micro-batching
// does not change the objective.
using Pipeline.Learning.Objectives;
using Pipeline.Learning.Updates;

namespace Pipeline.Learning.Tests.Updates;

public sealed class SftUpdateTests
{
    private static readonly PromptResponse[] Examples =
    [
        TinyPolicy.Pair("12+34=", "46;# 46\n"),
        TinyPolicy.Pair("5+5=", "10;# 10\n"),
        TinyPolicy.Pair("70+8=", "78;# 78\n"),
    ];

    [Fact]
    public void Step_OnTinyModel_ChangesWeightsAndLowersNll()
    {
        var trainer = new PolicyTrainer(TinyPolicy.Create(), TinyPolicy.Options(), seed: 1);
        var before = TinyPolicy.Snapshot(trainer.Model);
        double nllBefore = TinyPolicy.MeanNll(trainer.Model, Examples);

        var result = SftUpdate.Step(trainer, Examples);

        Assert.False(TinyPolicy.SameBits(before, trainer.Model.Parameters));
        Assert.Equal(nllBefore, result.Loss, 4); // the reported loss is the token-mean NLL before the step
        Assert.True(TinyPolicy.MeanNll(trainer.Model, Examples) < nllBefore);
        Assert.Equal(1, result.Step);
        Assert.Equal(Examples.Sum(e => e.Response.Length), result.ResponseTokens);
        Assert.True(result.GradientNorm > 0);
    }

    [Theory]
    [InlineData(TokenAveraging.TokenMean)]
    [InlineData(TokenAveraging.SequenceMean)]
    public void Step_SplitIntoMicroBatches_GivesTheSameLossAndNearlyTheSameWeights(TokenAveraging averaging)
    {
        var whole = new PolicyTrainer(TinyPolicy.Create(), TinyPolicy.Options(microBatch: 8), seed: 1);
        var split = new PolicyTrainer(TinyPolicy.Create(), TinyPolicy.Options(microBatch: 1), seed: 1);

        var a = SftUpdate.Step(whole, Examples, averaging);
        var b = SftUpdate.Step(split, Examples, averaging);

        Assert.Equal(a.Loss, b.Loss, 5);
        Assert.Equal(a.GradientNorm, b.GradientNorm, 4);
        var pa = whole.Model.Parameters.ToArray();
        var pb = split.Model.Parameters.ToArray();
        Assert.True(pa.Zip(pb).Max(x => Math.Abs(x.First - x.Second)) < 1e-4);
    }
}
