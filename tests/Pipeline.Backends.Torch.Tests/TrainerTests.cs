// Saving and resuming: a trainer saved after a step and resumed continues bit for bit like one that never stopped; the
// folder has the managed PolicyTrainer's layout, so the managed trainer resumes it too; a saved policy is an HF folder.
using Pipeline.Backends.Torch.Policies;
using Pipeline.Engine.Model;
using Pipeline.Learning.Policies;
using Pipeline.Engine.Training;
using Pipeline.Learning.Objectives;
using Pipeline.Learning.Updates;
using Pipeline.Testing;

namespace Pipeline.Backends.Torch.Tests;

public sealed class TrainerTests(CheckpointFixture checkpoints) : IClassFixture<CheckpointFixture>
{
    private static readonly TrainingOptions Options = new(new LearningRateSchedule(5e-3f, 1, 6)) { MaxGradientNorm = 1.0 };

    [Fact]
    public void Resume_AfterSaveBetweenSteps_BitIdenticalToUninterrupted()
    {
        using var directory = new TemporaryDirectory();
        using TorchPolicyTrainer straight = TorchPolicyTrainer.Start(checkpoints.Folder("qwen2"), Options, seed: 9, TestModels.Cpu);
        using TorchPolicyTrainer first = TorchPolicyTrainer.Start(checkpoints.Folder("qwen2"), Options, seed: 9, TestModels.Cpu);
        for (int step = 0; step < 3; step++)
        {
            Step(straight, step);
        }

        Step(first, 0);
        first.Random.NextUInt64();
        straight.Random.NextUInt64();
        first.Save(Path.Combine(directory, "trainer"));
        using TorchPolicyTrainer resumed = TorchPolicyTrainer.Resume(Path.Combine(directory, "trainer"), TestModels.Cpu);
        Step(resumed, 1);
        Step(resumed, 2);

        Assert.Equal(straight.Step, resumed.Step);
        Assert.Equal(straight.Random.State, resumed.Random.State);
        foreach (var tensor in straight.Policy.Model.Tensors)
        {
            Assert.Equal(straight.Policy.Model.Read(tensor), resumed.Policy.Model.Read(resumed.Policy.Model.Find(tensor.Name)));
        }
    }

    [Fact]
    public void Save_TrainerFolder_ManagedPolicyTrainerResumesIt()
    {
        using var directory = new TemporaryDirectory();
        using TorchPolicyTrainer trainer = TorchPolicyTrainer.Start(checkpoints.Folder("llama"), Options, seed: 3, TestModels.Cpu);
        Step(trainer, 0);
        trainer.Save(Path.Combine(directory, "trainer"));

        PolicyTrainer managed = PolicyTrainer.Load(Path.Combine(directory, "trainer"));

        Assert.Equal(1, managed.Step);
        Assert.Equal(trainer.Random.State, managed.Random.State);
        Assert.Equal(Options.Schedule, managed.Options.Schedule);
        foreach (ParameterTensor t in managed.Model.Tensors)
        {
            Assert.Equal(trainer.Policy.Model.Read(trainer.Policy.Model.Find(t.Name)), managed.Model.Parameters.Slice(t.Offset, t.Length).ToArray());
        }
    }

    [Fact]
    public void Save_Policy_WritesTheHfFolderTheManagedEngineLoads()
    {
        using var directory = new TemporaryDirectory();
        string source = Path.Combine(directory, "source");
        RandomModels.Randomised(TestModels.Tiny("Qwen2ForCausalLM"), 4).Save(source);
        IPolicy policy = new TorchPolicyBackend(TestModels.Cpu).Load(source);

        policy.Save(Path.Combine(directory, "copy"));
        policy.Dispose();

        Assert.Equal(["config.json", LlamaModel.WeightsFileName], Directory.GetFiles(Path.Combine(directory, "copy")).Select(Path.GetFileName).Order());
        LlamaModel original = LlamaModel.Load(source), copy = LlamaModel.Load(Path.Combine(directory, "copy"));
        Assert.Equal(original.Config, copy.Config);
        Assert.Equal(original.Parameters.ToArray(), copy.Parameters.ToArray());
    }

    [Fact]
    public void Apply_NonFiniteLoss_ThrowsAndLeavesTheWeights()
    {
        using TorchPolicyTrainer trainer = TorchPolicyTrainer.Start(checkpoints.Folder("llama"), Options, seed: 1, TestModels.Cpu);
        var before = trainer.Policy.Model.Tensors.Select(trainer.Policy.Model.Read).ToList();
        var batch = SequenceBatch.Pack([new PromptResponse([1, 2], [3, 4, 5])]);

        Assert.Throws<InvalidOperationException>(() =>
            trainer.Apply([batch], (_, logProbs) => new TokenLoss(double.NaN, logProbs.Select(r => r.Select(_ => 1f).ToArray()).ToArray())));

        Assert.Equal(0, trainer.Step);
        Assert.Equal(before, trainer.Policy.Model.Tensors.Select(trainer.Policy.Model.Read).ToList());
    }

    /// <summary>A small SFT-like step whose data depends on the step index only.</summary>
    private static void Step(TorchPolicyTrainer trainer, int step)
    {
        int vocab = trainer.Policy.Config.VocabSize;
        var batch = SequenceBatch.Pack([
            new PromptResponse([1 + step, 2], RandomModels.Tokens(6, vocab, (ulong)(10 + step))),
            new PromptResponse([3], RandomModels.Tokens(4, vocab, (ulong)(20 + step))),
        ]);
        trainer.Apply([batch], (_, logProbs) =>
        {
            int total = logProbs.Sum(r => r.Length);
            return new TokenLoss(-logProbs.Sum(r => r.Sum()) / total, logProbs.Select(r => r.Select(_ => -1f / total).ToArray()).ToArray());
        });
    }
}
