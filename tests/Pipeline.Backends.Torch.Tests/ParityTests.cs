// The libtorch backend against the managed engine on the same HF checkpoints (the managed engine is itself checked against
// PyTorch and finite differences in Pipeline.Engine.Tests): logits, teacher-forced statistics and log-probs, gradients of
// the project's DPO and GRPO objectives, one AdamW step through each trainer, and greedy and sampled generations.
using Pipeline.Backends.Torch.Policies;
using Pipeline.Engine.Model;
using Pipeline.Engine.Sampling;
using Pipeline.Learning.Objectives;
using Pipeline.Learning.Policies;
using Pipeline.Learning.Updates;
using Pipeline.Engine.Training;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;
using Pipeline.Testing;

namespace Pipeline.Backends.Torch.Tests;

/// <summary>Checkpoints written once for the class: Llama (biases, untied), Qwen2 (tied), no-rope Llama, and F16/BF16 copies.</summary>
public sealed class CheckpointFixture : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    public CheckpointFixture()
    {
        Write("llama", TestModels.Tiny("LlamaForCausalLM", tied: false, bias: true), 11);
        Write("qwen2", TestModels.Tiny("Qwen2ForCausalLM", tied: true, bias: false), 12);
        Write("nope", TestModels.Tiny("LlamaForCausalLM", tied: true, bias: false, positions: PositionEncoding.None), 13);
        var half = RandomModels.Randomised(TestModels.Tiny("Qwen2ForCausalLM"), 14);
        TestModels.SaveHalf(half, Folder("qwen2-f16"), "F16");
        TestModels.SaveHalf(half, Folder("qwen2-bf16"), "BF16");
    }

    public string Folder(string name) => Path.Combine(_directory, name);

    public void Dispose() => _directory.Dispose();

    private void Write(string name, ModelConfig config, ulong seed) => RandomModels.Randomised(config, seed).Save(Folder(name));
}

[Trait("Category", "Slow")]
public sealed class ParityTests(CheckpointFixture checkpoints, ITestOutputHelper output) : IClassFixture<CheckpointFixture>
{
    private static readonly int[][] Prompts = [[1, 2, 3], [4, 5, 6, 7, 8, 9, 10], [11], [12, 13, 14, 15]];

    public static TheoryData<string> Checkpoints => ["llama", "qwen2", "nope", "qwen2-f16", "qwen2-bf16"];

    [Theory]
    [MemberData(nameof(Checkpoints))]
    public void Logits_SameCheckpoint_MatchManagedTo1e4(string name)
    {
        string folder = checkpoints.Folder(name);
        LlamaModel managed = LlamaModel.Load(folder);
        using TorchPolicy policy = TorchPolicy.Load(folder, TestModels.Cpu);
        const int b = 2, t = 19;
        int[] tokens = RandomModels.Tokens(b * t, managed.Config.VocabSize, 3);
        float[] expected = managed.Forward(tokens, b, t).ToArray();

        using var scope = NewDisposeScope();
        float[] actual = policy.Model.Logits(torch.tensor(tokens.Select(x => (long)x).ToArray(), [b, t])).data<float>().ToArray();

        Report($"logits {name}", expected, actual);
        Close.Within($"logits {name}", expected, actual, 1e-4);
    }

    [Fact]
    public void Statistics_TeacherForced_MatchManagedScorer()
    {
        string folder = checkpoints.Folder("llama");
        LlamaModel managed = LlamaModel.Load(folder);
        using TorchPolicy policy = TorchPolicy.Load(folder, TestModels.Cpu);
        var pairs = Pairs(managed.Config.VocabSize);

        foreach (float temperature in new[] { 1f, 0.7f })
        {
            TokenStatistics[][] actual = policy.Statistics(pairs, temperature, TestModels.MicroBatch);
            Assert.Equal(pairs.Count, actual.Length);
            for (int s = 0; s < pairs.Count; s++)
            {
                TokenStatistics[] expected = ResponseScorer.Score(managed, pairs[s].Prompt, pairs[s].Response, temperature).Tokens;
                Assert.Equal(expected.Length, actual[s].Length);
                foreach (var (label, select) in StatisticFields)
                {
                    Close.Within($"{label} τ={temperature} seq {s}", expected.Select(select).ToArray(), actual[s].Select(select).ToArray(), 2e-5);
                }
            }
        }
    }

    [Fact]
    public void LogProbs_TeacherForced_MatchManagedScores()
    {
        string folder = checkpoints.Folder("qwen2");
        LlamaModel managed = LlamaModel.Load(folder);
        using TorchPolicy policy = TorchPolicy.Load(folder, TestModels.Cpu);
        var pairs = Pairs(managed.Config.VocabSize);

        float[][] expected = TeacherForcedScores.LogProbs(managed, pairs);
        float[][] actual = policy.LogProbs(pairs, TestModels.MicroBatch);

        Assert.Equal(pairs.Select(p => p.Response.Length), actual.Select(a => a.Length));
        Report("logprobs qwen2", Close.Flatten(expected), Close.Flatten(actual));
        Close.Within("log-probs", Close.Flatten(expected), Close.Flatten(actual), 1e-5);
    }

    [Theory]
    [InlineData("llama")]
    [InlineData("qwen2")]
    public void Gradients_DpoObjective_MatchManagedBackwardTo1e3(string name)
    {
        string folder = checkpoints.Folder(name);
        int vocab = ModelConfig.Load(folder).VocabSize;
        int[] prompt = [1, 2, 3, 4];
        int[] chosen = RandomModels.Tokens(6, vocab, 21), rejected = RandomModels.Tokens(9, vocab, 22);
        var prompt2 = new[] { 5, 6 };
        var batch = SequenceBatch.Pack([new(prompt, chosen), new(prompt, rejected), new(prompt2, rejected), new(prompt2, chosen)]);
        TokenLoss Objective(int pass, float[][] logProbs)
        {
            var result = DpoLoss.Compute([
                new PreferenceLogProbs(logProbs[0], logProbs[1], -20, -25, 1.0),
                new PreferenceLogProbs(logProbs[2], logProbs[3], -30, -18, 2.0),
            ], beta: 0.5, nllWeight: 1);
            return new TokenLoss(result.Loss, [result.ChosenGradients[0], result.RejectedGradients[0], result.ChosenGradients[1], result.RejectedGradients[1]]);
        }

        CompareGradients($"dpo {name}", folder, batch, Objective);
    }

    [Theory]
    [InlineData("llama")]
    [InlineData("qwen2")]
    public void Gradients_GrpoObjective_MatchManagedBackwardTo1e3(string name)
    {
        string folder = checkpoints.Folder(name);
        int vocab = ModelConfig.Load(folder).VocabSize;
        int[] prompt = [3, 1, 4, 1, 5];
        int[][] responses = [RandomModels.Tokens(7, vocab, 31), RandomModels.Tokens(4, vocab, 32), RandomModels.Tokens(9, vocab, 33)];
        var batch = SequenceBatch.Pack(responses.Select(r => new PromptResponse(prompt, r)).ToList());
        // Old log-probs a little off the current ones, so the ratios differ from 1 and some tokens clip.
        float[][] old = responses.Select((r, i) => r.Select((_, t) => -2.5f + 0.3f * ((t + i) % 3)).ToArray()).ToArray();
        float[][] reference = responses.Select(r => r.Select((_, t) => -3f + 0.1f * t).ToArray()).ToArray();
        TokenLoss Objective(int pass, float[][] logProbs)
        {
            var sequences = logProbs.Select((lp, i) => new GrpoSequence(lp, old[i], reference[i])).ToList();
            var result = GrpoLoss.Compute([new GrpoGroup([1.0, 0.0, 0.5], sequences)], new GrpoOptions(KlBeta: 0.04));
            return new TokenLoss(result.Loss, result.Gradients);
        }

        CompareGradients($"grpo {name}", folder, batch, Objective);
    }

    [Fact]
    public void DpoUpdate_OneStepThroughEachBackend_WeightsMatchTo1e5()
    {
        string folder = checkpoints.Folder("llama");
        // Adam's first step moves a weight by lr·g/(|g| + ε): for a gradient that is rounding noise (|g| ≈ 1e-8, as one
        // o_proj entry is here) the move depends on the noise itself when ε is as small, so ε is raised above the noise;
        // AdamW_SameGradients_* checks the optimizer with the default ε on identical gradients.
        var options = new TrainingOptions(new LearningRateSchedule(1e-2f, 0, 10))
        {
            MaxGradientNorm = 0.5, MicroBatchSize = 2, Optimizer = new AdamWOptions { Epsilon = 1e-5f },
        };
        using IPolicyTrainer managed = new ManagedPolicyBackend().StartTraining(folder, options, seed: 5);
        using IPolicyTrainer libtorch = new TorchPolicyBackend(TestModels.Cpu).StartTraining(folder, options, seed: 5);
        int vocab = managed.Policy.Config.VocabSize;
        var pairs = new[]
        {
            new PreferenceExample([1, 2, 3], RandomModels.Tokens(5, vocab, 41), RandomModels.Tokens(7, vocab, 42), -15, -19),
            new PreferenceExample([7, 8], RandomModels.Tokens(6, vocab, 43), RandomModels.Tokens(3, vocab, 44), -12, -9, Weight: 2),
        };

        // The project's own update code, micro-batched into one pass per pair, on each backend.
        DpoUpdateResult expected = DpoUpdate.Step(managed, pairs, beta: 0.1, nllWeight: 0.5);
        DpoUpdateResult actual = DpoUpdate.Step(libtorch, pairs, beta: 0.1, nllWeight: 0.5);

        Assert.Equal(expected.Update.Step, actual.Update.Step);
        Assert.Equal(expected.Update.LearningRate, actual.Update.LearningRate);
        Assert.Equal(expected.Update.Loss, actual.Update.Loss, 1e-5);
        Assert.Equal(expected.Accuracy, actual.Accuracy);
        Assert.True(expected.Update.GradientNorm > 0.5, "the step should clip, so clipping is compared too");
        Assert.Equal(expected.Update.GradientNorm, actual.Update.GradientNorm, 1e-4 * expected.Update.GradientNorm);
        AssertSameWeights("dpo step", managed, libtorch, 1e-5);
    }

    [Fact]
    public void GrpoUpdate_TwoStepsThroughEachBackend_WeightsMatchTo1e5()
    {
        string folder = checkpoints.Folder("qwen2");
        var options = new TrainingOptions(new LearningRateSchedule(5e-3f, 1, 10)) { MicroBatchSize = 3 };
        using IPolicyTrainer managed = new ManagedPolicyBackend().StartTraining(folder, options, seed: 6);
        using IPolicyTrainer libtorch = new TorchPolicyBackend(TestModels.Cpu).StartTraining(folder, options, seed: 6);
        int vocab = managed.Policy.Config.VocabSize;
        GrpoSample Sample(int length, ulong seed, double reward) =>
            new(RandomModels.Tokens(length, vocab, seed), reward, Enumerable.Repeat(-2.9f, length).ToArray(), Enumerable.Repeat(-3.1f, length).ToArray());
        var groups = new[]
        {
            new GrpoPromptGroup([1, 2, 3], [Sample(5, 51, 1), Sample(8, 52, 0), Sample(3, 53, 0.5)]),
            new GrpoPromptGroup([9, 4], [Sample(6, 54, 0), Sample(4, 55, 1)]),
        };
        var grpo = new GrpoOptions(KlBeta: 0.02);

        for (int step = 0; step < 2; step++)
        {
            GrpoUpdateResult expected = GrpoUpdate.Step(managed, groups, grpo);
            GrpoUpdateResult actual = GrpoUpdate.Step(libtorch, groups, grpo);
            Assert.Equal(expected.Update.Loss, actual.Update.Loss, 1e-5);
            Assert.Equal(expected.ClipFraction, actual.ClipFraction, 1e-9);
        }

        AssertSameWeights("grpo steps", managed, libtorch, 1e-5);
    }

    [Fact]
    public void AdamW_SameGradients_OneStepMatchesManagedTo1e5()
    {
        string folder = checkpoints.Folder("qwen2");
        LlamaModel managed = LlamaModel.Load(folder);
        using TorchPolicy policy = TorchPolicy.Load(folder, TestModels.Cpu);
        var options = new AdamWOptions { Beta1 = 0.9f, Beta2 = 0.95f, WeightDecay = 0.1f, DecayVectors = false };
        var random = new SeededRandom(8);
        random.FillNormal(managed.Gradients, 0f, 0.3f);
        foreach (ParameterTensor t in managed.Tensors)
        {
            policy.Model.WriteGradient(policy.Model.Find(t.Name), managed.Gradients.Slice(t.Offset, t.Length).ToArray());
        }

        var reference = new AdamW(managed.Tensors, options);
        using var optimizer = new Training.TorchAdamW(policy.Model, options);
        for (int step = 0; step < 2; step++)
        {
            reference.Update(managed.Parameters, managed.Gradients, 3e-3f);
            optimizer.Update(3e-3f);
        }

        double worst = 0;
        foreach (ParameterTensor t in managed.Tensors)
        {
            worst = Math.Max(worst, Close.MaxAbsDiff(managed.Parameters.Slice(t.Offset, t.Length), policy.Model.Read(policy.Model.Find(t.Name))));
        }

        output.WriteLine($"adamw (two steps, same gradients): max abs diff {worst:G3}");
        Assert.Equal(reference.Step, optimizer.Step);
        Assert.True(worst <= 1e-5, $"weights after AdamW: max abs diff {worst:G3}");
    }

    private void AssertSameWeights(string what, IPolicyTrainer managed, IPolicyTrainer libtorch, double tolerance)
    {
        LlamaModel reference = ((PolicyTrainer)managed).Model;
        TorchLlamaView mine = new(((TorchPolicyTrainer)libtorch).Policy);
        double worst = 0;
        foreach (ParameterTensor t in reference.Tensors)
        {
            worst = Math.Max(worst, Close.MaxAbsDiff(reference.Parameters.Slice(t.Offset, t.Length), mine.Read(t.Name)));
        }

        output.WriteLine($"{what}: max abs diff of the weights {worst:G3}");
        Assert.True(worst <= tolerance, $"{what}: max abs diff of the weights {worst:G3}");
    }

    private sealed class TorchLlamaView(TorchPolicy policy)
    {
        public float[] Read(string name) => policy.Model.Read(policy.Model.Find(name));
    }

    [Theory]
    [InlineData("llama")]
    [InlineData("qwen2")]
    [InlineData("nope")]
    public void Generate_Greedy_SameTokensAsManagedGenerator(string name)
    {
        string folder = checkpoints.Folder(name);
        LlamaModel managed = LlamaModel.Load(folder);
        using TorchPolicy policy = TorchPolicy.Load(folder, TestModels.Cpu);
        var options = new SamplingOptions { Temperature = 0f, MaxNewTokens = 24, StopTokens = [7] };

        var expected = new Pipeline.Engine.Sampling.Generator(managed).Generate(Prompts, options, firstSequenceIndex: 3);
        var actual = policy.Generate(Prompts, options, firstSequenceIndex: 3);

        AssertSameSequences(expected, actual);
    }

    [Theory]
    [InlineData(0.8f, 0, 1f)]
    [InlineData(1.3f, 5, 1f)]
    [InlineData(0.9f, 0, 0.8f)]
    [InlineData(1f, 7, 0.6f)]
    public void Generate_Sampled_SameTokensAsManagedGenerator(float temperature, int topK, float topP)
    {
        string folder = checkpoints.Folder("qwen2");
        LlamaModel managed = LlamaModel.Load(folder);
        using TorchPolicy policy = TorchPolicy.Load(folder, TestModels.Cpu);
        var options = new SamplingOptions { Temperature = temperature, TopK = topK, TopP = topP, MaxNewTokens = 20, StopTokens = [2], Seed = 77 };
        int[][] prompts = [.. Prompts, .. Prompts];

        var expected = new Pipeline.Engine.Sampling.Generator(managed).Generate(prompts, options);
        var actual = policy.Generate(prompts, options);

        AssertSameSequences(expected, actual);
    }

    private void CompareGradients(string what, string folder, SequenceBatch batch, Func<int, float[][], TokenLoss> objective)
    {
        LlamaModel managed = LlamaModel.Load(folder);
        int n = batch.BatchSize * batch.Time;
        var logProbs = new float[n];
        var dLogProbs = new float[n];
        managed.ZeroGrad();
        managed.ForwardLogProbs(batch.Tokens, batch.Targets, batch.BatchSize, batch.Time, logProbs);
        TokenLoss expected = objective(0, batch.ResponseLogProbs(logProbs));
        batch.ScatterGradients(expected.Gradients, dLogProbs);
        managed.Backward(dLogProbs);

        var options = new TrainingOptions(new LearningRateSchedule(1e-3f, 0, 10));
        using TorchPolicyTrainer trainer = TorchPolicyTrainer.Start(folder, options, seed: 1, TestModels.Cpu);
        double loss = trainer.AccumulateGradients([batch], objective, out int tokens);

        Assert.Equal(batch.ResponseTokenCount, tokens);
        Assert.Equal(expected.Loss, loss, 1e-5);
        double worst = 0, largest = 0;
        foreach (ParameterTensor t in managed.Tensors)
        {
            ReadOnlySpan<float> reference = managed.Gradients.Slice(t.Offset, t.Length);
            float[] mine = trainer.Policy.Model.ReadGradient(trainer.Policy.Model.Find(t.Name));
            worst = Math.Max(worst, Close.MaxAbsDiff(reference, mine));
            foreach (float g in reference)
            {
                largest = Math.Max(largest, Math.Abs(g));
            }
        }

        output.WriteLine($"{what} gradients: max abs diff {worst:G3} (largest |g| {largest:G3})");
        Assert.True(largest > 1e-2, "the objective should produce gradients well above the tolerance");
        Assert.True(worst <= 1e-3, $"{what} gradients: max abs diff {worst:G3}");
    }

    private static List<PromptResponse> Pairs(int vocab) =>
    [
        new([1, 2, 3], RandomModels.Tokens(8, vocab, 1)),
        new([4], RandomModels.Tokens(5, vocab, 2)),
        new([5, 6, 7, 8, 9, 10, 11], RandomModels.Tokens(12, vocab, 3)),
        new([12, 13], [14]),
        new([15, 16, 17], RandomModels.Tokens(3, vocab, 4)),
    ];

    private static readonly (string, Func<TokenStatistics, float>)[] StatisticFields =
    [
        ("log p", s => s.LogProb), ("entropy", s => s.Entropy), ("self-certainty", s => s.SelfCertainty),
        ("top1", s => s.Top1Prob), ("top2", s => s.Top2Prob),
    ];

    private static void AssertSameSequences(IReadOnlyList<GeneratedSequence> expected, IReadOnlyList<GeneratedSequence> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].SequenceIndex, actual[i].SequenceIndex);
            Assert.Equal(expected[i].Tokens, actual[i].Tokens);
            Assert.Equal(expected[i].FinishReason, actual[i].FinishReason);
            Close.Within($"sequence {i} policy log-probs", expected[i].PolicyLogProbs, actual[i].PolicyLogProbs, 2e-5);
            foreach (var (label, select) in StatisticFields)
            {
                Close.Within($"sequence {i} {label}", expected[i].Statistics.Select(select).ToArray(), actual[i].Statistics.Select(select).ToArray(), 2e-5);
            }
        }
    }

    private void Report(string what, float[] expected, float[] actual) =>
        output.WriteLine($"{what}: max abs diff {Close.MaxAbsDiff(expected, actual):G3}");
}
