// Fully connected layer y = x·Wᵀ (+ b) with HF [out, in] weights, forward and backward, on whole [N, in] blocks.
// Shape key: N rows (B·T), I inputs, O outputs.
using System.Numerics.Tensors;
using Pipeline.Engine.Kernels;

namespace Pipeline.Engine.Layers;

internal static unsafe class Linear
{
    /// <summary>y[N,O] = x[N,I]·w[O,I]ᵀ + bias[O] (bias may be null); added to y when <paramref name="accumulate"/>.</summary>
    public static void Forward(float* y, float* x, float* w, float* bias, int rows, int inputs, int outputs, bool accumulate = false)
    {
        Gemm.Multiply(false, true, rows, outputs, inputs, x, inputs, w, inputs, y, outputs, accumulate);
        if (bias != null)
        {
            var b = new ReadOnlySpan<float>(bias, outputs);
            for (int n = 0; n < rows; n++)
            {
                var row = new Span<float>(y + (long)n * outputs, outputs);
                TensorPrimitives.Add(row, b, row);
            }
        }
    }

    /// <summary>
    /// dx[N,I] = dy·w (added when <paramref name="accumulateInput"/>; skipped when dx is null),
    /// dw[O,I] += dyᵀ·x, dbias[O] += Σ_n dy[n] (when dbias is not null).
    /// </summary>
    public static void Backward(float* dx, float* dw, float* dbias, float* dy, float* x, float* w,
        int rows, int inputs, int outputs, bool accumulateInput = false)
    {
        if (dx != null)
        {
            Gemm.Multiply(false, false, rows, inputs, outputs, dy, outputs, w, inputs, dx, inputs, accumulateInput);
        }

        Gemm.Multiply(true, false, outputs, inputs, rows, dy, outputs, x, inputs, dw, inputs, accumulate: true);
        if (dbias != null)
        {
            var db = new Span<float>(dbias, outputs);
            for (int n = 0; n < rows; n++)
            {
                TensorPrimitives.Add(db, new ReadOnlySpan<float>(dy + (long)n * outputs, outputs), db);
            }
        }
    }
}
