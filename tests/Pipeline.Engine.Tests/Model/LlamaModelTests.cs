using Pipeline.Engine.Checkpoints;
using Pipeline.Engine.Model;
using Pipeline.Engine.Tests.Layers;
using Pipeline.Engine.Training;
using Pipeline.Testing;

namespace Pipeline.Engine.Tests.Model;

public class LlamaModelTests
{
    private const int Batch = 2, Time = 6;

    public static TheoryData<bool, bool, PositionEncoding, string> Variants => new()
    {
        { false, true, PositionEncoding.Rope, "LlamaForCausalLM" },
        { true, false, PositionEncoding.Rope, "LlamaForCausalLM" },
        { true, false, PositionEncoding.None, "LlamaForCausalLM" },
        { false, false, PositionEncoding.Rope, "Qwen2ForCausalLM" },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void Backward_WholeModel_MatchesFiniteDifferencesOnSampledParameters(bool tied, bool bias, PositionEncoding positions,
        string architecture)
    {
        ModelConfig config = TestModels.Tiny(tied, bias, positions, architecture);
        LlamaModel model = RandomModels.Randomised(config, 31);
        int[] tokens = RandomModels.Tokens(Batch * Time, config.VocabSize, 32);
        int[] targets = RandomModels.Tokens(Batch * Time, config.VocabSize, 33);
        targets[0] = -1;
        targets[Time] = -1;
        float[] weights = FiniteDifferences.Random(Batch * Time, 34);
        float[] logProbs = new float[Batch * Time];
        float[] parameters = model.Parameters.ToArray();
        double Loss()
        {
            parameters.CopyTo(model.Parameters);
            model.ForwardLogProbs(tokens, targets, Batch, Time, logProbs);
            return FiniteDifferences.Weighted(weights, logProbs);
        }

        Loss();
        model.ZeroGrad();
        model.Backward(weights);
        float[] gradients = model.Gradients.ToArray();

        // A few entries of every tensor, so each layer's backward is exercised inside the whole model.
        var random = new SeededRandom(35);
        var sample = model.Tensors.SelectMany(t => Enumerable.Range(0, 3).Select(_ => t.Offset + random.NextInt(t.Length))).ToList();
        FiniteDifferences.Check("parameters", parameters, gradients, Loss, eps: 1e-2f, rtol: 3e-2, atol: 2e-3, indices: sample);
    }

    [Fact]
    public void Backward_TwoCalls_AccumulateGradients()
    {
        ModelConfig config = TestModels.Tiny();
        LlamaModel model = RandomModels.Randomised(config, 36);
        int[] tokens = RandomModels.Tokens(Batch * Time, config.VocabSize, 37);
        float[] logProbs = new float[Batch * Time];
        float[] ones = Enumerable.Repeat(1f, Batch * Time).ToArray();
        model.ForwardLogProbs(tokens, tokens, Batch, Time, logProbs);
        model.Backward(ones);
        float[] once = model.Gradients.ToArray();
        model.ForwardLogProbs(tokens, tokens, Batch, Time, logProbs);
        model.Backward(ones);
        float[] twice = model.Gradients.ToArray();
        for (int i = 0; i < once.Length; i++)
        {
            Assert.Equal(2 * once[i], twice[i], 1e-5f + 1e-5f * Math.Abs(twice[i]));
        }
    }

    [Fact]
    public void Backward_AccumulatedMicroBatches_MatchOneFullBatch()
    {
        ModelConfig config = TestModels.Tiny();
        LlamaModel model = RandomModels.Randomised(config, 46);
        int[] tokens = RandomModels.Tokens(Batch * Time, config.VocabSize, 47);
        int[] targets = RandomModels.Tokens(Batch * Time, config.VocabSize, 48);
        float[] weights = FiniteDifferences.Random(Batch * Time, 49);
        float[] logProbs = new float[Batch * Time];
        model.ForwardLogProbs(tokens, targets, Batch, Time, logProbs);
        model.Backward(weights);
        float[] full = model.Gradients.ToArray();

        model.ZeroGrad();
        for (int b = 0; b < Batch; b++)
        {
            var rows = new Range(b * Time, (b + 1) * Time);
            model.ForwardLogProbs(tokens[rows], targets[rows], 1, Time, logProbs.AsSpan(0, Time));
            model.Backward(weights[rows]);
        }

        float[] accumulated = model.Gradients.ToArray();
        for (int i = 0; i < full.Length; i++)
        {
            Assert.Equal(full[i], accumulated[i], 1e-5f + 1e-4f * Math.Abs(full[i]));
        }
    }

    [Fact]
    public void Forward_LogProbsAgreeWithLogitsAndLogitsStayReadable()
    {
        ModelConfig config = TestModels.Tiny();
        LlamaModel model = RandomModels.Randomised(config, 38);
        int[] tokens = RandomModels.Tokens(Batch * Time, config.VocabSize, 39);
        int[] targets = RandomModels.Tokens(Batch * Time, config.VocabSize, 40);
        float[] logProbs = new float[Batch * Time];
        model.ForwardLogProbs(tokens, targets, Batch, Time, logProbs);
        ReadOnlySpan<float> logits = model.Logits;
        int v = config.VocabSize;
        for (int n = 0; n < Batch * Time; n++)
        {
            double lse = Math.Log(logits.Slice(n * v, v).ToArray().Sum(x => Math.Exp(x)));
            Assert.Equal(logits[n * v + targets[n]] - lse, logProbs[n], 1e-5);
        }

        model.Backward(new float[Batch * Time]);
        Assert.Throws<InvalidOperationException>(() => model.Logits.Length);
    }

    [Fact]
    public void ForwardLogProbs_TargetOutsideVocabulary_Throws()
    {
        ModelConfig config = TestModels.Tiny();
        LlamaModel model = LlamaModel.Create(config, 52);
        int[] tokens = new int[Time];
        int[] targets = new int[Time];
        targets[2] = config.VocabSize;
        Assert.Throws<ArgumentOutOfRangeException>(() => model.ForwardLogProbs(tokens, targets, 1, Time, new float[Time]));
    }

    [Fact]
    public void Forward_SequencePrefix_GivesSameLogitsAsFullSequence()
    {
        ModelConfig config = TestModels.Tiny();
        LlamaModel model = RandomModels.Randomised(config, 41);
        int[] tokens = RandomModels.Tokens(Time, config.VocabSize, 42);
        float[] full = model.Forward(tokens, 1, Time).ToArray();
        float[] prefix = model.Forward(tokens.AsSpan(0, 3), 1, 3).ToArray();
        for (int i = 0; i < prefix.Length; i++)
        {
            Assert.Equal(full[i], prefix[i], 1e-5f);
        }
    }

    [Fact]
    public void SaveThenLoad_GivesBitwiseIdenticalLogits()
    {
        foreach (bool tied in new[] { false, true })
        {
            ModelConfig config = TestModels.Tiny(tied);
            LlamaModel model = RandomModels.Randomised(config, 43);
            int[] tokens = RandomModels.Tokens(Batch * Time, config.VocabSize, 44);
            float[] before = model.Forward(tokens, Batch, Time).ToArray();
            using var dir = new TemporaryDirectory();
            model.Save(dir);
            LlamaModel loaded = LlamaModel.Load(dir);
            Assert.Equal(config, loaded.Config);
            Assert.Equal(before, loaded.Forward(tokens, Batch, Time).ToArray());
            using SafeTensorsReader reader = SafeTensorsReader.Open(Path.Combine(dir, LlamaModel.WeightsFileName));
            Assert.Equal(!tied, reader.Entries.ContainsKey("lm_head.weight"));
        }
    }

    [Fact]
    public void Load_ShardedCheckpointWithIndex_GivesSameLogits()
    {
        ModelConfig config = TestModels.Tiny();
        LlamaModel model = RandomModels.Randomised(config, 50);
        int[] tokens = RandomModels.Tokens(Batch * Time, config.VocabSize, 51);
        float[] expected = model.Forward(tokens, Batch, Time).ToArray();
        using var dir = new TemporaryDirectory();
        config.Save(dir);
        var shards = model.Tensors.Select((t, i) => (Tensor: t, File: $"model-0000{i % 2 + 1}-of-00002.safetensors")).ToList();
        foreach (var group in shards.GroupBy(s => s.File))
        {
            SafeTensorsWriter.Write(Path.Combine(dir, group.Key), group
                .Select(s => new SafeTensorsTensor(s.Tensor.Name, s.Tensor.Shape, model.Parameters.Slice(s.Tensor.Offset, s.Tensor.Length).ToArray()))
                .ToList());
        }

        var map = new System.Text.Json.Nodes.JsonObject();
        shards.ForEach(s => map[s.Tensor.Name] = s.File);
        File.WriteAllText(Path.Combine(dir, "model.safetensors.index.json"),
            new System.Text.Json.Nodes.JsonObject { ["metadata"] = new System.Text.Json.Nodes.JsonObject(), ["weight_map"] = map }.ToJsonString());
        Assert.Equal(expected, LlamaModel.Load(dir).Forward(tokens, Batch, Time).ToArray());
    }

    [Fact]
    public void Load_MissingOrMisshapenTensor_FailsNamingIt()
    {
        ModelConfig config = TestModels.Tiny();
        LlamaModel model = LlamaModel.Create(config, 45);
        using var dir = new TemporaryDirectory();
        model.Save(dir);
        string weights = Path.Combine(dir, LlamaModel.WeightsFileName);
        var tensors = model.Tensors.Where(t => t.Name != "model.norm.weight")
            .Select(t => new SafeTensorsTensor(t.Name, t.Shape, model.Parameters.Slice(t.Offset, t.Length).ToArray()))
            .Append(new SafeTensorsTensor("model.extra.weight", [1], new float[1]))
            .ToList();
        SafeTensorsWriter.Write(weights, tensors);
        var error = Assert.Throws<InvalidDataException>(() => LlamaModel.Load(dir));
        Assert.Contains("model.norm.weight", error.Message);
        Assert.Contains("model.extra.weight", error.Message);

        tensors = model.Tensors
            .Select(t => t.Name == "model.norm.weight"
                ? new SafeTensorsTensor(t.Name, [2, t.Length / 2], new float[t.Length])
                : new SafeTensorsTensor(t.Name, t.Shape, model.Parameters.Slice(t.Offset, t.Length).ToArray()))
            .ToList();
        SafeTensorsWriter.Write(weights, tensors);
        error = Assert.Throws<InvalidDataException>(() => LlamaModel.Load(dir));
        Assert.Contains("model.norm.weight", error.Message);
    }

    [Fact]
    public void Create_SameSeed_SameWeights_NormsOneBiasesZero()
    {
        ModelConfig config = TestModels.Tiny();
        LlamaModel a = LlamaModel.Create(config, 7);
        LlamaModel b = LlamaModel.Create(config, 7);
        Assert.Equal(a.Parameters.ToArray(), b.Parameters.ToArray());
        Assert.All(a.Parameter("model.layers.1.input_layernorm.weight").ToArray(), v => Assert.Equal(1f, v));
        Assert.All(a.Parameter("model.layers.0.self_attn.k_proj.bias").ToArray(), v => Assert.Equal(0f, v));
        float[] embedding = a.Parameter("model.embed_tokens.weight").ToArray();
        double std = Math.Sqrt(embedding.Average(v => (double)v * v));
        Assert.InRange(std, 0.015, 0.025);
    }
}
