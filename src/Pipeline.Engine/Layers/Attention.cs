// Causal multi-head attention with grouped KV heads over a fused q|k|v buffer (after RoPE), forward and backward.
// Query head h reads kv head h / (H / Hkv), as HF's repeat_kv does. Per head the work is five small products done with
// TileMultiply in blocks of four query rows, each block only as wide as the causal mask lets it see. The forward keeps
// the softmax probabilities, zero above the diagonal; the backward overwrites them with the score gradients, since
// they are not needed afterwards. Work is split over (b, h) forward and over (b, kv head) backward, where the heads
// sharing a kv head accumulate into the same dk, dv rows.
// Shape key: B batch, T time, H query heads, Hkv kv heads, D head size; N = B·T rows; S = (H + 2·Hkv)·D.
//   qkv [N, S] = [q (H·D) | k (Hkv·D) | v (Hkv·D)] per row; out [N, H·D]; att [B, H, T, T].
using System.Numerics.Tensors;

namespace Pipeline.Engine.Layers;

internal static unsafe class Attention
{
    private const int Block = 4;

    /// <summary>Floats of scratch the forward and backward need.</summary>
    public static long ScratchSize(int batch, int time, int heads, int kvHeads, int headDim) =>
        (long)batch * time * Math.Max(heads * headDim, kvHeads * (headDim + Block));

    /// <summary>out = softmax(q·kᵀ/√D + causal mask)·v per (b, h); probabilities stored in att.</summary>
    public static void Forward(float* output, float* att, float* qkv, float* scratch,
        int batch, int time, int heads, int kvHeads, int headDim)
    {
        int stride = (heads + 2 * kvHeads) * headDim;
        int group = heads / kvHeads;
        int outStride = heads * headDim;
        float scale = 1f / MathF.Sqrt(headDim);
        Parallelism.ForRanges(batch * heads, (long)time * time * headDim, (start, end) =>
        {
            for (int bh = start; bh < end; bh++)
            {
                int b = bh / heads;
                int h = bh % heads;
                int kh = h / group;
                float* q = qkv + (long)b * time * stride + h * headDim;
                float* k = qkv + (long)b * time * stride + (heads + kh) * headDim;
                float* v = k + kvHeads * headDim;
                float* o = output + (long)b * time * outStride + h * headDim;
                float* p = att + (long)bh * time * time;
                float* kt = scratch + (long)bh * time * headDim;
                Transpose(kt, k, stride, time, headDim);
                for (int i0 = 0; i0 < time; i0 += Block)
                {
                    int rows = Math.Min(Block, time - i0);
                    int visible = i0 + rows;
                    TileMultiply.Multiply(p + (long)i0 * time, time, q + (long)i0 * stride, stride, 1, kt, time,
                        rows, visible, headDim, accumulate: false);
                    for (int i = i0; i < visible; i++)
                    {
                        Softmax(p + (long)i * time, i + 1, time, scale);
                    }

                    TileMultiply.Multiply(o + (long)i0 * outStride, outStride, p + (long)i0 * time, time, 1, v, stride,
                        rows, headDim, visible, accumulate: false);
                }
            }
        });
    }

    /// <summary>
    /// dqkv [N, S] (overwritten) from dout [N, H·D] and the forward's qkv and att; att is overwritten with dscores.
    /// </summary>
    public static void Backward(float* dqkv, float* dout, float* qkv, float* att, float* scratch,
        int batch, int time, int heads, int kvHeads, int headDim)
    {
        int stride = (heads + 2 * kvHeads) * headDim;
        int group = heads / kvHeads;
        int outStride = heads * headDim;
        float scale = 1f / MathF.Sqrt(headDim);
        Parallelism.ForRanges(batch * kvHeads, (long)group * time * time * headDim, (start, end) =>
        {
            for (int bk = start; bk < end; bk++)
            {
                int b = bk / kvHeads;
                int kh = bk % kvHeads;
                long rowBase = (long)b * time * stride;
                float* k = qkv + rowBase + (heads + kh) * headDim;
                float* v = k + kvHeads * headDim;
                float* dk = dqkv + rowBase + (heads + kh) * headDim;
                float* dv = dk + kvHeads * headDim;
                float* vt = scratch + (long)bk * time * (headDim + Block);
                float* dp = vt + (long)time * headDim;
                Transpose(vt, v, stride, time, headDim);
                for (int t = 0; t < time; t++)
                {
                    new Span<float>(dk + (long)t * stride, headDim).Clear();
                    new Span<float>(dv + (long)t * stride, headDim).Clear();
                }

                for (int h = kh * group; h < (kh + 1) * group; h++)
                {
                    float* q = qkv + rowBase + h * headDim;
                    float* dq = dqkv + rowBase + h * headDim;
                    float* d = dout + (long)b * time * outStride + h * headDim;
                    float* p = att + ((long)b * heads + h) * time * time;

                    // dv[j] += Σ_{i≥j} p[i,j]·dout[i]: A = pᵀ, read through swapped strides.
                    for (int j0 = 0; j0 < time; j0 += Block)
                    {
                        TileMultiply.Multiply(dv + (long)j0 * stride, stride, p + (long)j0 * time + j0, 1, time,
                            d + (long)j0 * outStride, outStride, Math.Min(Block, time - j0), headDim, time - j0, accumulate: true);
                    }

                    for (int i0 = 0; i0 < time; i0 += Block)
                    {
                        int rows = Math.Min(Block, time - i0);
                        int visible = i0 + rows;
                        TileMultiply.Multiply(dp, time, d + (long)i0 * outStride, outStride, 1, vt, time,
                            rows, visible, headDim, accumulate: false);
                        for (int r = 0; r < rows; r++)
                        {
                            ScoreGradient(p + (long)(i0 + r) * time, dp + (long)r * time, i0 + r + 1, scale);
                        }

                        TileMultiply.Multiply(dq + (long)i0 * stride, stride, p + (long)i0 * time, time, 1, k, stride,
                            rows, headDim, visible, accumulate: false);
                    }

                    // dk[j] += Σ_{i≥j} ds[i,j]·q[i], with ds now stored in p.
                    for (int j0 = 0; j0 < time; j0 += Block)
                    {
                        TileMultiply.Multiply(dk + (long)j0 * stride, stride, p + (long)j0 * time + j0, 1, time,
                            q + (long)j0 * stride, stride, Math.Min(Block, time - j0), headDim, time - j0, accumulate: true);
                    }
                }
            }
        });
    }

    /// <summary>dst[D, T] = src[T, D] (rows of src <paramref name="stride"/> apart).</summary>
    private static void Transpose(float* dst, float* src, int stride, int time, int headDim)
    {
        for (int t = 0; t < time; t++)
        {
            float* row = src + (long)t * stride;
            for (int d = 0; d < headDim; d++)
            {
                dst[(long)d * time + t] = row[d];
            }
        }
    }

    /// <summary>Row softmax of scale·scores over the first <paramref name="count"/> entries, zeros after, up to width.</summary>
    private static void Softmax(float* row, int count, int width, float scale)
    {
        var scores = new Span<float>(row, count);
        float max = TensorPrimitives.Max(scores);
        // exp(scale·s − scale·max) in vector passes; the row is in L1, so extra passes cost little next to a scalar exp.
        TensorPrimitives.Subtract(scores, max, scores);
        TensorPrimitives.Multiply(scores, scale, scores);
        TensorPrimitives.Exp(scores, scores);
        TensorPrimitives.Multiply(scores, 1f / TensorPrimitives.Sum(scores), scores);
        new Span<float>(row + count, width - count).Clear();
    }

    /// <summary>In place over the first count entries: p ← p·(dp − Σ p·dp)·scale, the gradient of the scaled scores.</summary>
    private static void ScoreGradient(float* p, float* dp, int count, float scale)
    {
        var ps = new Span<float>(p, count);
        var dps = new Span<float>(dp, count);
        TensorPrimitives.Subtract(dps, TensorPrimitives.Dot(ps, dps), dps);
        TensorPrimitives.Multiply(ps, dps, ps);
        TensorPrimitives.Multiply(ps, scale, ps);
    }
}
