// The bf16 path CUDA runs by default (products and attention in bf16, fp32 weights, norms, softmax and residuals),
// exercised on the CPU, where libtorch also computes bf16: close to fp32 at bf16's precision, and training still works.
using Pipeline.Backends.Torch.Policies;
using Pipeline.Engine.Sampling;
using Pipeline.Engine.Training;
using Pipeline.Learning.Objectives;
using Pipeline.Learning.Updates;

namespace Pipeline.Backends.Torch.Tests;

public sealed class Bfloat16Tests(CheckpointFixture checkpoints) : IClassFixture<CheckpointFixture>
{
    private static readonly List<PromptResponse> Pairs =
    [
        new([1, 2, 3], [4, 5, 6, 7, 8]),
        new([9], [10, 11, 12]),
    ];

    [Fact]
    public void LogProbs_Bfloat16Products_CloseToFloat32()
    {
        using TorchPolicy full = TorchPolicy.Load(checkpoints.Folder("llama"), TestModels.Cpu);
        using TorchPolicy half = TorchPolicy.Load(checkpoints.Folder("llama"), TestModels.Cpu with { Bfloat16 = true });

        float[] expected = Close.Flatten(full.LogProbs(Pairs, TestModels.MicroBatch));
        float[] actual = Close.Flatten(half.LogProbs(Pairs, TestModels.MicroBatch));

        // bf16 keeps 8 bits of mantissa: log-probs of a few nats move by a few hundredths, not more.
        double worst = Close.MaxAbsDiff(expected, actual);
        Assert.InRange(worst, 1e-6, 0.1);
    }

    [Fact]
    public void Apply_Bfloat16Products_LowersTheLossAndGenerates()
    {
        var options = new TrainingOptions(new LearningRateSchedule(1e-2f, 0, 20));
        using TorchPolicyTrainer trainer = TorchPolicyTrainer.Start(checkpoints.Folder("qwen2"), options, seed: 2, TestModels.Cpu with { Bfloat16 = true });
        var batch = SequenceBatch.Pack(Pairs);
        double first = 0, last = 0;
        for (int step = 0; step < 8; step++)
        {
            UpdateResult result = trainer.Apply([batch], (_, logProbs) =>
            {
                int total = logProbs.Sum(r => r.Length);
                return new TokenLoss(-logProbs.Sum(r => r.Sum()) / total, logProbs.Select(r => r.Select(_ => -1f / total).ToArray()).ToArray());
            });
            first = step == 0 ? result.Loss : first;
            last = result.Loss;
        }

        Assert.True(last < 0.8 * first, $"loss {first} → {last}");
        var sequences = trainer.Policy.Generate([[1, 2, 3]], new SamplingOptions { Temperature = 0f, MaxNewTokens = 5 });
        Assert.Equal([4, 5, 6, 7, 8], sequences[0].Tokens);
    }
}
