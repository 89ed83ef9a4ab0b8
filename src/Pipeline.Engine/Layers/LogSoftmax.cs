// Log-softmax of the LM-head logits gathered at each row's target, and its backward, each one pass over V per row.
// The caller's loss enters as a gradient per gathered log-probability, so every training objective shares this backward.
// Shape key: N rows (B·T), V vocab.
using System.Numerics;
using System.Numerics.Tensors;

namespace Pipeline.Engine.Layers;

internal static unsafe class LogSoftmax
{
    /// <summary>
    /// lse[n] = log Σ_v exp(logits[n,v]); logProbs[n] = logits[n,targets[n]] − lse[n], or 0 where the target is negative.
    /// Targets must be below V (the model checks them before the forward).
    /// </summary>
    public static void Forward(float* logProbs, float* lse, float* logits, int* targets, int rows, int vocab)
    {
        Parallelism.ForRanges(rows, vocab, (start, end) =>
        {
            for (int n = start; n < end; n++)
            {
                float* row = logits + (long)n * vocab;
                float max = TensorPrimitives.Max(new ReadOnlySpan<float>(row, vocab));
                var acc = Vector<float>.Zero;
                var maxV = new Vector<float>(max);
                int v = 0;
                for (; v <= vocab - Vector<float>.Count; v += Vector<float>.Count)
                {
                    acc += Vector.Exp(Vector.Load(row + v) - maxV);
                }

                float sum = Vector.Sum(acc);
                for (; v < vocab; v++)
                {
                    sum += MathF.Exp(row[v] - max);
                }

                float logSum = max + MathF.Log(sum);
                lse[n] = logSum;
                int target = targets[n];
                logProbs[n] = target < 0 ? 0f : row[target] - logSum;
            }
        });
    }

    /// <summary>
    /// In place: logits[n,:] becomes dlogits = dLogProbs[n]·(onehot(target) − softmax), zero where the target is negative.
    /// </summary>
    public static void Backward(float* logits, float* lse, float* dLogProbs, int* targets, int rows, int vocab)
    {
        Parallelism.ForRanges(rows, vocab, (start, end) =>
        {
            for (int n = start; n < end; n++)
            {
                var row = new Span<float>(logits + (long)n * vocab, vocab);
                int target = targets[n];
                float g = dLogProbs[n];
                if (target < 0 || g == 0f)
                {
                    row.Clear();
                    continue;
                }

                TensorPrimitives.Subtract(row, lse[n], row);
                TensorPrimitives.Exp(row, row);
                TensorPrimitives.Multiply(row, -g, row);
                row[target] += g;
            }
        });
    }
}
