// Causal multi-head attention with grouped KV heads over a fused q|k|v buffer (after RoPE), forward and backward.
// Query head h reads kv head h / (H / Hkv), as HF's repeat_kv does. Only the log-sum-exp of each score row is kept:
// the backward recomputes the probabilities a block of query rows at a time, so memory grows with T, not T².
// Per head the work is small products (Gemm, on the calling thread at these sizes), each block of query rows only as
// wide as the causal mask lets it see.
// Work is split over (b, h) in the forward and over (b, kv head) in the backward, where the heads sharing a kv head
// accumulate into the same dk, dv rows.
// Shape key: B batch, T time, H query heads, Hkv kv heads, D head size; N = B·T rows; S = (H + 2·Hkv)·D.
//   qkv [N, S] = [q (H·D) | k (Hkv·D) | v (Hkv·D)] per row; out [N, H·D]; lse [B, H, T].
using System.Numerics.Tensors;
using Pipeline.Engine.Kernels;

namespace Pipeline.Engine.Layers;

internal static unsafe class Attention
{
    /// <summary>Query rows per block: wide enough that the transposed updates of dk and dv run long inner loops.</summary>
    private const int Block = 16;

    /// <summary>Floats of scratch the forward and backward need.</summary>
    public static long ScratchSize(int batch, int time, int heads, int kvHeads) =>
        (long)batch * time * Block * Math.Max(heads, 2 * kvHeads);

    /// <summary>out = softmax(q·kᵀ/√D + causal mask)·v per (b, h); lse[b,h,i] = log Σ_j exp(score) kept for the backward.</summary>
    public static void Forward(float* output, float* lse, float* qkv, float* scratch,
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
                float* p = scratch + (long)bh * time * Block;
                for (int i0 = 0; i0 < time; i0 += Block)
                {
                    int rows = Math.Min(Block, time - i0);
                    int visible = i0 + rows;
                    Gemm.Multiply(false, true, rows, visible, headDim, q + (long)i0 * stride, stride, k, stride, p, time);
                    for (int r = 0; r < rows; r++)
                    {
                        lse[(long)bh * time + i0 + r] = Softmax(p + (long)r * time, i0 + r + 1, visible, scale);
                    }

                    Gemm.Multiply(false, false, rows, headDim, visible, p, time, v, stride, o + (long)i0 * outStride, outStride);
                }
            }
        });
    }

    /// <summary>dqkv [N, S] (overwritten) from dout [N, H·D] and the forward's qkv and lse.</summary>
    public static void Backward(float* dqkv, float* dout, float* qkv, float* lse, float* scratch,
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
                float* p = scratch + (long)bk * time * 2 * Block;
                float* dp = p + (long)Block * time;
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
                    float* rowLse = lse + ((long)b * heads + h) * time;
                    for (int i0 = 0; i0 < time; i0 += Block)
                    {
                        int rows = Math.Min(Block, time - i0);
                        int visible = i0 + rows;
                        float* qBlock = q + (long)i0 * stride;
                        float* dBlock = d + (long)i0 * outStride;

                        // Recompute this block's probabilities, then dv[j] += Σ_i p[i,j]·dout[i].
                        Gemm.Multiply(false, true, rows, visible, headDim, qBlock, stride, k, stride, p, time);
                        for (int r = 0; r < rows; r++)
                        {
                            Probabilities(p + (long)r * time, i0 + r + 1, visible, scale, rowLse[i0 + r]);
                        }

                        Gemm.Multiply(true, false, visible, headDim, rows, p, time, dBlock, outStride, dv, stride, accumulate: true);

                        // dscores = p·(dp − Σ p·dp)·scale with dp = dout·vᵀ, written over p.
                        Gemm.Multiply(false, true, rows, visible, headDim, dBlock, outStride, v, stride, dp, time);
                        for (int r = 0; r < rows; r++)
                        {
                            ScoreGradient(p + (long)r * time, dp + (long)r * time, i0 + r + 1, scale);
                        }

                        Gemm.Multiply(false, false, rows, headDim, visible, p, time, k, stride, dq + (long)i0 * stride, stride);
                        Gemm.Multiply(true, false, visible, headDim, rows, p, time, qBlock, stride, dk, stride, accumulate: true);
                    }
                }
            }
        });
    }

    /// <summary>
    /// Row softmax of scale·scores over the first <paramref name="count"/> entries, zeros after up to
    /// <paramref name="width"/>; returns the log-sum-exp of the scaled scores.
    /// </summary>
    private static float Softmax(float* row, int count, int width, float scale)
    {
        var scores = new Span<float>(row, count);
        float max = TensorPrimitives.Max(scores);
        // exp(scale·s − scale·max) in vector passes; the row is in L1, so extra passes cost little next to a scalar exp.
        TensorPrimitives.Subtract(scores, max, scores);
        TensorPrimitives.Multiply(scores, scale, scores);
        TensorPrimitives.Exp(scores, scores);
        float sum = TensorPrimitives.Sum(scores);
        TensorPrimitives.Multiply(scores, 1f / sum, scores);
        new Span<float>(row + count, width - count).Clear();
        return max * scale + MathF.Log(sum);
    }

    /// <summary>The forward's probabilities again: exp(scale·s − lse) over count entries, zeros after up to width.</summary>
    private static void Probabilities(float* row, int count, int width, float scale, float lse)
    {
        var scores = new Span<float>(row, count);
        TensorPrimitives.Multiply(scores, scale, scores);
        TensorPrimitives.Subtract(scores, lse, scores);
        TensorPrimitives.Exp(scores, scores);
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
