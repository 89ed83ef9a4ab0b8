// Causal multi-head attention with grouped KV heads over a fused q|k|v buffer (after RoPE), forward and backward.
// The forward keeps the softmax probabilities for the backward. Query head h reads kv head h / (H / Hkv), as HF's
// repeat_kv does. Work is split over (b, h) in the forward and over (b, kv head) in the backward, where the heads that
// share a kv head accumulate into the same dk, dv rows.
// Shape key: B batch, T time, H query heads, Hkv kv heads, D head size; N = B·T rows; S = (H + 2·Hkv)·D.
//   qkv [N, S] = [q (H·D) | k (Hkv·D) | v (Hkv·D)] per row; out [N, H·D]; att [B, H, T, T] (only j ≤ i written).
using System.Numerics;

namespace Pipeline.Engine.Layers;

internal static unsafe class Attention
{
    /// <summary>out = softmax(q·kᵀ/√D + causal mask)·v per (b, h); probabilities stored in att.</summary>
    public static void Forward(float* output, float* att, float* qkv, int batch, int time, int heads, int kvHeads, int headDim)
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
                float* qBase = qkv + (long)b * time * stride + h * headDim;
                float* kBase = qkv + (long)b * time * stride + (heads + kh) * headDim;
                float* vBase = kBase + kvHeads * headDim;
                for (int i = 0; i < time; i++)
                {
                    float* q = qBase + (long)i * stride;
                    float* p = att + ((long)bh * time + i) * time;
                    float max = float.NegativeInfinity;
                    for (int j = 0; j <= i; j++)
                    {
                        float s = Dot(q, kBase + (long)j * stride, headDim) * scale;
                        p[j] = s;
                        max = MathF.Max(max, s);
                    }

                    float sum = 0f;
                    for (int j = 0; j <= i; j++)
                    {
                        float e = MathF.Exp(p[j] - max);
                        p[j] = e;
                        sum += e;
                    }

                    float inverse = 1f / sum;
                    float* o = output + ((long)b * time + i) * outStride + h * headDim;
                    new Span<float>(o, headDim).Clear();
                    for (int j = 0; j <= i; j++)
                    {
                        p[j] *= inverse;
                        Axpy(o, p[j], vBase + (long)j * stride, headDim);
                    }
                }
            }
        });
    }

    /// <summary>
    /// dqkv [N, S] (overwritten) from dout [N, H·D], the forward's qkv and att; scratch holds B·Hkv·T floats.
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
                float* dp = scratch + (long)bk * time;
                long rowBase = (long)b * time * stride;
                float* kBase = qkv + rowBase + (heads + kh) * headDim;
                float* vBase = kBase + kvHeads * headDim;
                float* dkBase = dqkv + rowBase + (heads + kh) * headDim;
                float* dvBase = dkBase + kvHeads * headDim;
                for (int t = 0; t < time; t++)
                {
                    new Span<float>(dkBase + (long)t * stride, headDim).Clear();
                    new Span<float>(dvBase + (long)t * stride, headDim).Clear();
                    new Span<float>(dqkv + rowBase + (long)t * stride + kh * group * headDim, group * headDim).Clear();
                }

                for (int h = kh * group; h < (kh + 1) * group; h++)
                {
                    float* qBase = qkv + rowBase + h * headDim;
                    float* dqBase = dqkv + rowBase + h * headDim;
                    for (int i = 0; i < time; i++)
                    {
                        float* p = att + (((long)b * heads + h) * time + i) * time;
                        float* d = dout + ((long)b * time + i) * outStride + h * headDim;
                        float weighted = 0f;
                        for (int j = 0; j <= i; j++)
                        {
                            float g = Dot(d, vBase + (long)j * stride, headDim);
                            dp[j] = g;
                            weighted += p[j] * g;
                        }

                        float* q = qBase + (long)i * stride;
                        float* dq = dqBase + (long)i * stride;
                        for (int j = 0; j <= i; j++)
                        {
                            float ds = p[j] * (dp[j] - weighted) * scale;
                            Axpy(dq, ds, kBase + (long)j * stride, headDim);
                            Axpy(dkBase + (long)j * stride, ds, q, headDim);
                            Axpy(dvBase + (long)j * stride, p[j], d, headDim);
                        }
                    }
                }
            }
        });
    }

    private static float Dot(float* a, float* b, int length)
    {
        var acc = Vector<float>.Zero;
        int i = 0;
        for (; i <= length - Vector<float>.Count; i += Vector<float>.Count)
        {
            acc += Vector.Load(a + i) * Vector.Load(b + i);
        }

        float sum = Vector.Sum(acc);
        for (; i < length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    /// <summary>y += alpha·x.</summary>
    private static void Axpy(float* y, float alpha, float* x, int length)
    {
        var a = new Vector<float>(alpha);
        int i = 0;
        for (; i <= length - Vector<float>.Count; i += Vector<float>.Count)
        {
            (Vector.Load(y + i) + a * Vector.Load(x + i)).Store(y + i);
        }

        for (; i < length; i++)
        {
            y[i] += alpha * x[i];
        }
    }
}
