// Parity with PyTorch: the reference torch_llama.py builds a random tiny Llama (grouped KV heads, attention biases,
// untied head), saves it in HF format (F32, F16, BF16) and dumps logits, gradients of a weighted log-prob loss and the
// weights after one torch.optim.AdamW step. The engine must load the folders and reproduce all of it.
using System.Text.Json.Nodes;
using Pipeline.Benchmarks;
using Pipeline.Engine.Checkpoints;
using Pipeline.Engine.Model;
using Pipeline.Engine.Training;
using Pipeline.Testing;

namespace Pipeline.Benchmarks.Tests;

public sealed class TorchReferenceFixture : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    public TorchReferenceFixture()
    {
        ReferenceScripts.Run("torch_llama.py", ["parity", "--out", Directory]);
        Case = JsonNode.Parse(File.ReadAllText(Path.Combine(Directory, "case.json")))!.AsObject();
        using SafeTensorsReader reader = SafeTensorsReader.Open(Path.Combine(Directory, "expected.safetensors"));
        Expected = reader.Entries.Keys.ToDictionary(k => k, reader.Read);
    }

    public string Directory => _directory;

    public JsonObject Case { get; }

    public Dictionary<string, float[]> Expected { get; }

    public int[] Ints(string name) => Case[name]!.AsArray().Select(v => v!.GetValue<int>()).ToArray();

    public float[] Floats(string name) => Case[name]!.AsArray().Select(v => v!.GetValue<float>()).ToArray();

    public void Dispose() => _directory.Dispose();
}

[Trait("Category", "Slow")]
public class TorchParityTests(TorchReferenceFixture reference) : IClassFixture<TorchReferenceFixture>
{
    private static void AssertClose(string what, float[] expected, ReadOnlySpan<float> actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]));
        }

        Assert.True(worst <= tolerance, $"{what}: max abs diff {worst:G3} > {tolerance:G3}");
    }

    private (LlamaModel Model, int B, int T, int[] Tokens, int[] Targets, float[] Weights) Setup(string folder)
    {
        LlamaModel model = LlamaModel.Load(Path.Combine(reference.Directory, folder));
        return (model, reference.Case["batch"]!.GetValue<int>(), reference.Case["time"]!.GetValue<int>(),
            reference.Ints("tokens"), reference.Ints("targets"), reference.Floats("weights"));
    }

    [Fact]
    public void Load_TorchCheckpoint_LogitsMatchTo1e4()
    {
        var (model, b, t, tokens, _, _) = Setup("model");
        Assert.Equal(2, model.Config.NumKeyValueHeads);
        Assert.True(model.Config.HasQkvBias && model.Config.HasOutputBias && !model.Config.TieWordEmbeddings);
        AssertClose("logits", reference.Expected["logits"], model.Forward(tokens, b, t), 1e-4);
    }

    [Fact]
    public void Backward_WeightedLogProbLoss_GradientsMatchTo1e3()
    {
        var (model, b, t, tokens, targets, weights) = Setup("model");
        float[] logProbs = new float[b * t];
        model.ForwardLogProbs(tokens, targets, b, t, logProbs);
        AssertClose("logprobs", reference.Expected["logprobs"], logProbs, 1e-4);
        model.ZeroGrad();
        model.Backward(weights);
        foreach (ParameterTensor tensor in model.Tensors)
        {
            AssertClose("grad " + tensor.Name, reference.Expected["grad." + tensor.Name], model.Gradient(tensor.Name), 1e-3);
        }
    }

    [Fact]
    public void AdamWStep_MatchesTorchOptimTo1e5()
    {
        var (model, b, t, tokens, targets, weights) = Setup("model");
        float[] logProbs = new float[b * t];
        model.ForwardLogProbs(tokens, targets, b, t, logProbs);
        model.ZeroGrad();
        model.Backward(weights);
        var optimizer = new AdamW(model.Tensors, new AdamWOptions
        {
            Beta1 = reference.Case["beta1"]!.GetValue<float>(),
            Beta2 = reference.Case["beta2"]!.GetValue<float>(),
            Epsilon = reference.Case["eps"]!.GetValue<float>(),
            WeightDecay = reference.Case["weight_decay"]!.GetValue<float>(),
        });
        optimizer.Update(model.Parameters, model.Gradients, reference.Case["lr"]!.GetValue<float>());
        foreach (ParameterTensor tensor in model.Tensors)
        {
            AssertClose("updated " + tensor.Name, reference.Expected["updated." + tensor.Name], model.Parameter(tensor.Name), 1e-5);
        }
    }

    [Theory]
    [InlineData("model_f16", "logits_f16")]
    [InlineData("model_bf16", "logits_bf16")]
    public void Load_HalfPrecisionCheckpoint_MatchesTorchWithRoundedWeights(string folder, string logits)
    {
        var (model, b, t, tokens, _, _) = Setup(folder);
        AssertClose(logits, reference.Expected[logits], model.Forward(tokens, b, t), 1e-4);
    }
}
