// Tiny configs and helpers shared by the model tests: randomised weights sharper than the 0.02 init, random tokens.
using Pipeline.Engine.Model;
using Pipeline.Engine.Training;

namespace Pipeline.Engine.Tests.Model;

internal static class TestModels
{
    public static ModelConfig Tiny(bool tied = false, bool bias = true, PositionEncoding positions = PositionEncoding.Rope,
        string architecture = "LlamaForCausalLM") =>
        ModelConfig.Llama(vocabSize: 23, hiddenSize: 16, intermediateSize: 24, numLayers: 2, numHeads: 4, numKeyValueHeads: 2,
            tieWordEmbeddings: tied, attentionBias: bias, maxPositionEmbeddings: 32, positionEncoding: positions)
        with { Architecture = architecture };

    /// <summary>A model whose weights are large enough for logits to vary well beyond float rounding.</summary>
    public static LlamaModel Randomised(ModelConfig config, ulong seed)
    {
        var model = LlamaModel.Create(config, seed);
        var random = new SeededRandom(seed + 1);
        foreach (ParameterTensor t in model.Tensors)
        {
            Span<float> view = model.Parameters.Slice(t.Offset, t.Length);
            if (t.Name.EndsWith("norm.weight", StringComparison.Ordinal))
            {
                random.FillNormal(view, 1f, 0.1f);
            }
            else
            {
                random.FillNormal(view, 0f, t.IsVector ? 0.1f : 1f / MathF.Sqrt(t.Shape[^1]));
            }
        }

        return model;
    }

    public static int[] Tokens(int count, int vocab, ulong seed)
    {
        var random = new SeededRandom(seed);
        return Enumerable.Range(0, count).Select(_ => random.NextInt(vocab)).ToArray();
    }
}
