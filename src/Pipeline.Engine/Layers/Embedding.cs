// Token embedding: row lookup forward, scatter-add backward.
// Shape key: B batch, T time, C channels, V vocab; N = B·T rows.
using System.Numerics.Tensors;

namespace Pipeline.Engine.Layers;

internal static unsafe class Embedding
{
    /// <summary>x[N,C] = wte[tokens[n], :], wte [V,C].</summary>
    public static void Forward(float* x, ReadOnlySpan<int> tokens, float* wte, int vocab, int channels)
    {
        for (int n = 0; n < tokens.Length; n++)
        {
            int token = tokens[n];
            if ((uint)token >= (uint)vocab)
            {
                throw new ArgumentOutOfRangeException(nameof(tokens), $"Token {token} at position {n} is outside the vocabulary [0, {vocab}).");
            }

            new ReadOnlySpan<float>(wte + (long)token * channels, channels).CopyTo(new Span<float>(x + (long)n * channels, channels));
        }
    }

    /// <summary>dwte[tokens[n], :] += dx[n, :]. Serial: repeated tokens would race.</summary>
    public static void Backward(float* dwte, float* dx, ReadOnlySpan<int> tokens, int channels)
    {
        for (int n = 0; n < tokens.Length; n++)
        {
            var row = new Span<float>(dwte + (long)tokens[n] * channels, channels);
            TensorPrimitives.Add(row, new ReadOnlySpan<float>(dx + (long)n * channels, channels), row);
        }
    }
}
