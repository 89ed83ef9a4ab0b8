// RMSNorm y = x / sqrt(mean(x²) + eps) · w, forward and backward; the forward keeps 1/rms per row for the backward.
// Shape key: N rows (B·T), C channels.
using System.Numerics;
using System.Numerics.Tensors;

namespace Pipeline.Engine.Layers;

internal static unsafe class RmsNorm
{
    /// <summary>y[N,C] = x·rstd·w with rstd[N] = 1/sqrt(mean(x²) + eps) kept for the backward.</summary>
    public static void Forward(float* y, float* rstd, float* x, float* w, int rows, int channels, float eps)
    {
        Parallelism.ForRanges(rows, channels, (start, end) =>
        {
            var weight = new ReadOnlySpan<float>(w, channels);
            for (int n = start; n < end; n++)
            {
                var xs = new ReadOnlySpan<float>(x + (long)n * channels, channels);
                var ys = new Span<float>(y + (long)n * channels, channels);
                float r = 1f / MathF.Sqrt(TensorPrimitives.SumOfSquares(xs) / channels + eps);
                rstd[n] = r;
                TensorPrimitives.Multiply(xs, r, ys);
                TensorPrimitives.Multiply(ys, weight, ys);
            }
        });
    }

    /// <summary>
    /// dx[N,C] += r·w·dy − (r³/C)·x·Σ_c(w·dy·x) and dw[C] += Σ_n dy·x·r, from the forward's x and rstd.
    /// </summary>
    public static void Backward(float* dx, float* dw, float* dy, float* x, float* rstd, float* w, int rows, int channels)
    {
        Parallelism.ForRanges(rows, channels, (start, end) =>
        {
            for (int n = start; n < end; n++)
            {
                float* xr = x + (long)n * channels;
                float* dyr = dy + (long)n * channels;
                float* dxr = dx + (long)n * channels;
                float r = rstd[n];
                float dot = WeightedDot(w, dyr, xr, channels);
                float k = r * r * r * dot / channels;
                int c = 0;
                for (; c <= channels - Vector<float>.Count; c += Vector<float>.Count)
                {
                    var g = Vector.Load(w + c) * Vector.Load(dyr + c);
                    (Vector.Load(dxr + c) + r * g - k * Vector.Load(xr + c)).Store(dxr + c);
                }

                for (; c < channels; c++)
                {
                    dxr[c] += r * w[c] * dyr[c] - k * xr[c];
                }
            }
        });

        // Serial over rows so the weight gradient sums in a fixed order without per-thread copies.
        for (int n = 0; n < rows; n++)
        {
            float* xr = x + (long)n * channels;
            float* dyr = dy + (long)n * channels;
            float r = rstd[n];
            int c = 0;
            for (; c <= channels - Vector<float>.Count; c += Vector<float>.Count)
            {
                (Vector.Load(dw + c) + Vector.Load(dyr + c) * Vector.Load(xr + c) * r).Store(dw + c);
            }

            for (; c < channels; c++)
            {
                dw[c] += dyr[c] * xr[c] * r;
            }
        }
    }

    private static float WeightedDot(float* w, float* dy, float* x, int channels)
    {
        var acc = Vector<float>.Zero;
        int c = 0;
        for (; c <= channels - Vector<float>.Count; c += Vector<float>.Count)
        {
            acc += Vector.Load(w + c) * Vector.Load(dy + c) * Vector.Load(x + c);
        }

        float sum = Vector.Sum(acc);
        for (; c < channels; c++)
        {
            sum += w[c] * dy[c] * x[c];
        }

        return sum;
    }
}
