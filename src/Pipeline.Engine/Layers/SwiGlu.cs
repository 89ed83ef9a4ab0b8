// SwiGLU gate h = silu(g)·u on the fused gate|up projection, forward and backward.
// Shape key: N rows (B·T), F ffn size; a gate|up row is [g (F) | u (F)].
using System.Numerics;
using System.Numerics.Tensors;

namespace Pipeline.Engine.Layers;

internal static unsafe class SwiGlu
{
    /// <summary>h[N,F] = silu(g)·u from gu[N,2F].</summary>
    public static void Forward(float* h, float* gu, int rows, int ffn)
    {
        Parallelism.ForRanges(rows, 2 * ffn, (start, end) =>
        {
            for (int n = start; n < end; n++)
            {
                var g = new ReadOnlySpan<float>(gu + 2L * n * ffn, ffn);
                var u = new ReadOnlySpan<float>(gu + 2L * n * ffn + ffn, ffn);
                var hr = new Span<float>(h + (long)n * ffn, ffn);
                TensorPrimitives.Sigmoid(g, hr);
                TensorPrimitives.Multiply(hr, g, hr);
                TensorPrimitives.Multiply(hr, u, hr);
            }
        });
    }

    /// <summary>dgu[N,2F] = [dh·u·silu'(g) | dh·silu(g)], with silu'(g) = s·(1 + g·(1 − s)), s = sigmoid(g).</summary>
    public static void Backward(float* dgu, float* dh, float* gu, int rows, int ffn)
    {
        Parallelism.ForRanges(rows, 2 * ffn, (start, end) =>
        {
            for (int n = start; n < end; n++)
            {
                float* g = gu + 2L * n * ffn;
                float* u = g + ffn;
                float* dg = dgu + 2L * n * ffn;
                float* du = dg + ffn;
                float* dhr = dh + (long)n * ffn;
                TensorPrimitives.Sigmoid(new ReadOnlySpan<float>(g, ffn), new Span<float>(dg, ffn));
                int f = 0;
                for (; f <= ffn - Vector<float>.Count; f += Vector<float>.Count)
                {
                    var s = Vector.Load(dg + f);
                    var gv = Vector.Load(g + f);
                    var d = Vector.Load(dhr + f);
                    (d * gv * s).Store(du + f);
                    (d * Vector.Load(u + f) * s * (Vector<float>.One + gv * (Vector<float>.One - s))).Store(dg + f);
                }

                for (; f < ffn; f++)
                {
                    float s = dg[f];
                    du[f] = dhr[f] * g[f] * s;
                    dg[f] = dhr[f] * u[f] * s * (1f + g[f] * (1f - s));
                }
            }
        });
    }
}
