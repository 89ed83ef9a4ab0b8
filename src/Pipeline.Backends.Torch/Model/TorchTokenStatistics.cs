// The per-token statistics of Engine/Sampling/TokenStatistics computed on the device for many rows at once: for each
// logits row z and token, with s = z/τ and p = softmax(s): log p(token), the entropy H(p), self-certainty
// KL(U‖p) = logsumexp(s) − mean(s) − log V, and the two largest probabilities. Same formulas, max-shifted the same way,
// clamped the same way (log p ≤ 0, H ≥ 0, KL ≥ 0), so the two backends agree to float rounding.
// Shape key: N rows, V vocab.
using Pipeline.Engine.Sampling;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Backends.Torch.Model;

/// <summary>Token statistics of many logits rows in a few device kernels.</summary>
internal static class TorchTokenStatistics
{
    // Rows per chunk so that one temporary [rows, V] stays near 16 M elements (64 MB) whatever the vocabulary.
    private const long ElementsPerChunk = 1 << 24;

    /// <summary>
    /// Statistics of softmax(<paramref name="logits"/> / <paramref name="temperature"/>) for each row of logits [N, V]
    /// and its token <paramref name="tokens"/> [N] (int64); returns them on the host, in row order.
    /// </summary>
    public static TokenStatistics[] Compute(Tensor logits, Tensor tokens, float temperature)
    {
        if (!(temperature > 0f) || float.IsInfinity(temperature))
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The temperature must be positive and finite.");
        }

        long n = logits.shape[0], vocab = logits.shape[1];
        var result = new TokenStatistics[n];
        long chunk = Math.Max(1, ElementsPerChunk / vocab);
        for (long start = 0; start < n; start += chunk)
        {
            long rows = Math.Min(chunk, n - start);
            using var scope = NewDisposeScope();
            float[] values = Chunk(logits.narrow(0, start, rows), tokens.narrow(0, start, rows), temperature, vocab);
            for (long r = 0; r < rows; r++)
            {
                long o = r * 5;
                result[start + r] = new TokenStatistics(values[o], values[o + 1], values[o + 2], values[o + 3], values[o + 4]);
            }
        }

        return result;
    }

    /// <summary>log softmax(<paramref name="logits"/>)[token] at temperature 1 for each row [N, V] and token [N], on the host.</summary>
    public static float[] LogProbabilities(Tensor logits, Tensor tokens)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Tensor z = logits.to(ScalarType.Float32);
        Tensor logProb = (z.gather(-1, tokens.view(-1, 1)).view(-1) - z.logsumexp(-1)).clamp_max(0);
        return logProb.cpu().data<float>().ToArray();
    }

    /// <summary>[rows, 5] = (log p, H, KL, top1, top2) for one chunk, copied to the host in one transfer.</summary>
    private static float[] Chunk(Tensor logits, Tensor tokens, float temperature, long vocab)
    {
        using var noGrad = no_grad();
        // Multiply by 1/τ (not divide by τ), as the managed code does, so the scaled logits round identically.
        Tensor s = logits.to(ScalarType.Float32) * (1f / temperature);
        Tensor max = s.amax([-1], keepdim: true);
        Tensor e = (s - max).exp();
        Tensor z = e.sum(-1, keepdim: true);
        Tensor logZ = z.log();
        Tensor logSumExp = max + logZ;
        // H = logZ − (Σ e·s / Z − max): the expectation of s relative to the max, as TokenStatistics writes it.
        Tensor entropy = (logZ - ((e * s).sum(-1, keepdim: true) / z - max)).clamp_min(0);
        Tensor selfCertainty = (logSumExp - s.mean([-1], keepdim: true) - Math.Log(vocab)).clamp_min(0);
        Tensor logProb = (s.gather(-1, tokens.view(-1, 1)) - logSumExp).clamp_max(0);
        Tensor top1, top2;
        if (vocab > 1)
        {
            Tensor top = e.topk(2, -1).values / z;
            top1 = top.narrow(-1, 0, 1);
            top2 = top.narrow(-1, 1, 1);
        }
        else
        {
            top1 = 1 / z;
            top2 = zeros_like(z);
        }

        return cat([logProb, entropy, selfCertainty, top1, top2], -1).cpu().contiguous().data<float>().ToArray();
    }
}
