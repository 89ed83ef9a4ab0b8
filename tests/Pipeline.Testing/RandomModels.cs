// Tiny models with randomised weights sharper than the 0.02 initialisation (so logits vary well beyond float rounding),
// and random token sequences: what the engine's and the TorchSharp backend's tests compare on.
using Pipeline.Engine.Model;
using Pipeline.Engine.Training;

namespace Pipeline.Testing;

public static class RandomModels
{
    /// <summary>A model of <paramref name="config"/> whose weights are large enough for logits to vary well beyond float rounding.</summary>
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

    /// <summary><paramref name="count"/> token ids drawn uniformly from [0, <paramref name="vocab"/>).</summary>
    public static int[] Tokens(int count, int vocab, ulong seed)
    {
        var random = new SeededRandom(seed);
        return Enumerable.Range(0, count).Select(_ => random.NextInt(vocab)).ToArray();
    }
}
