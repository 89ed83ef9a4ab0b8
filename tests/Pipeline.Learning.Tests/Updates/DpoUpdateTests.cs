// DPO and IRPO on the tiny model against a frozen reference loaded from a checkpoint: one step raises the implicit
// reward margin of the chosen over the rejected responses; IRPO's NLL term also raises the chosen log-likelihood; pair
// weights make the step's loss a weighted mean whatever the micro-batch split, and a bad weight is refused up front.
using Pipeline.Engine.Model;
using Pipeline.Learning.Updates;

namespace Pipeline.Learning.Tests.Updates;

public sealed class DpoUpdateTests : IDisposable
{
    private const double Beta = 0.1;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "dpo-update-" + Guid.NewGuid().ToString("N"));

    private static readonly (int[] Prompt, int[] Chosen, int[] Rejected)[] Pairs =
    [
        (Encode("12+34="), Encode("46;# 46\n"), Encode("47;# 47\n")),
        (Encode("5+5="), Encode("10;# 10\n"), Encode("55")),
        (Encode("7+1="), Encode("8;# 8\n"), Encode("9;# 9\n")),
    ];

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    [Theory]
    [InlineData(0.0, 8)]
    [InlineData(1.0, 8)]
    [InlineData(0.0, 2)]
    public void Step_OnTinyModel_RaisesTheChosenOverRejectedMargin(double nllWeight, int microBatch)
    {
        var policy = TinyPolicy.Create(seed: 3);
        policy.Save(_folder);
        var reference = LlamaModel.Load(_folder);
        var examples = DpoUpdate.WithReference(reference, Pairs);
        var trainer = new PolicyTrainer(policy, TinyPolicy.Options(rate: 5e-3f, microBatch: microBatch), seed: 1);
        var before = TinyPolicy.Snapshot(policy);

        var result = DpoUpdate.Step(trainer, examples, Beta, nllWeight);

        Assert.False(TinyPolicy.SameBits(before, policy.Parameters));
        Assert.Equal(0, result.RewardGap, 6); // policy == reference before the step
        Assert.Equal(Math.Log(2) + nllWeight * MeanChosenNll(reference), result.Update.Loss, 4);
        Assert.True(Margin(policy, examples) > 1e-3, $"margin after the step: {Margin(policy, examples)}");
    }

    [Fact]
    public void Step_IrpoNllTerm_RaisesTheChosenLikelihoodMoreThanDpo()
    {
        var dpo = new PolicyTrainer(TinyPolicy.Create(seed: 3), TinyPolicy.Options(rate: 5e-3f), seed: 1);
        var irpo = new PolicyTrainer(TinyPolicy.Create(seed: 3), TinyPolicy.Options(rate: 5e-3f), seed: 1);
        var examples = DpoUpdate.WithReference(TinyPolicy.Create(seed: 3), Pairs);
        double chosenBefore = ChosenLogLikelihood(dpo.Model);

        DpoUpdate.Step(dpo, examples, Beta, nllWeight: 0);
        DpoUpdate.Step(irpo, examples, Beta, nllWeight: 1);

        double dpoGain = ChosenLogLikelihood(dpo.Model) - chosenBefore;
        double irpoGain = ChosenLogLikelihood(irpo.Model) - chosenBefore;
        Assert.True(irpoGain > 0 && irpoGain > dpoGain, $"chosen log-likelihood gain: DPO {dpoGain}, IRPO {irpoGain}");
    }

    [Theory]
    [InlineData(8)]
    [InlineData(1)]
    public void Step_WeightedPairs_LossIsWeightedMeanWhateverTheSplit(int microBatch)
    {
        var policy = TinyPolicy.Create(seed: 3);
        double[] weights = [Math.Exp(0.7), 1, Math.Exp(0.2)];
        var examples = DpoUpdate.WithReference(TinyPolicy.Create(seed: 3), Pairs).Select((e, k) => e with { Weight = weights[k] }).ToList();
        var trainer = new PolicyTrainer(policy, TinyPolicy.Options(rate: 5e-3f, microBatch: microBatch), seed: 1);
        var nll = ChosenNll(policy);

        var result = DpoUpdate.Step(trainer, examples, Beta, nllWeight: 1);

        // Policy == reference, so each pair's DPO part is log 2 and only the NLL part tells the weighting apart.
        double weighted = weights.Select((w, k) => w * nll[k]).Sum() / weights.Sum();
        Assert.Equal(Math.Log(2) + weighted, result.Update.Loss, 4);
        Assert.True(Math.Abs(weighted - nll.Average()) > 1e-3, "the weights should move the loss away from the plain mean");
    }

    [Fact]
    public void Step_ZeroWeight_ThrowsBeforeTraining()
    {
        var policy = TinyPolicy.Create(seed: 3);
        var examples = DpoUpdate.WithReference(TinyPolicy.Create(seed: 3), Pairs).Select((e, k) => e with { Weight = k == 2 ? 0 : 1 }).ToList();
        var trainer = new PolicyTrainer(policy, TinyPolicy.Options(rate: 5e-3f), seed: 1);
        var before = TinyPolicy.Snapshot(policy);

        var error = Assert.Throws<ArgumentException>(() => DpoUpdate.Step(trainer, examples, Beta));

        Assert.Contains("Pair 2 has weight 0", error.Message);
        Assert.True(TinyPolicy.SameBits(before, policy.Parameters));
        Assert.Equal(0L, trainer.Step);
    }

    private static double Margin(LlamaModel policy, IReadOnlyList<PreferenceExample> examples)
    {
        var chosen = TinyPolicy.SumLogProbs(policy, examples.Select(e => new PromptResponse(e.Prompt, e.Chosen)).ToList());
        var rejected = TinyPolicy.SumLogProbs(policy, examples.Select(e => new PromptResponse(e.Prompt, e.Rejected)).ToList());
        return examples.Select((e, k) => Beta * ((chosen[k] - e.ReferenceChosen) - (rejected[k] - e.ReferenceRejected))).Average();
    }

    private static double ChosenLogLikelihood(LlamaModel model) =>
        TinyPolicy.SumLogProbs(model, Pairs.Select(p => new PromptResponse(p.Prompt, p.Chosen)).ToList()).Sum();

    private static double MeanChosenNll(LlamaModel model) => ChosenNll(model).Average();

    /// <summary>Each pair's length-normalised NLL of its chosen response, IRPO's added term with α = 1.</summary>
    private static double[] ChosenNll(LlamaModel model)
    {
        var sums = TinyPolicy.SumLogProbs(model, Pairs.Select(p => new PromptResponse(p.Prompt, p.Chosen)).ToList());
        return Pairs.Select((p, k) => -sums[k] / p.Chosen.Length).ToArray();
    }

    private static int[] Encode(string text) => TinyPolicy.Tokenizer.Encode(text);
}
