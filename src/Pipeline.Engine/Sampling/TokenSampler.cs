// Draws one token from one logits row: greedy, or temperature with optional top-k and top-p truncation. The only
// randomness is one uniform per draw from the sequence's own stream, and candidates are ordered by (logit desc, id asc),
// so a draw depends on nothing but the row and that stream.
using System.Numerics.Tensors;
using Pipeline.Engine.Training;

namespace Pipeline.Engine.Sampling;

/// <summary>Token selection for one sequence at a time; holds scratch rows so that a draw allocates nothing.</summary>
internal sealed class TokenSampler
{
    private readonly float[] _scaled;
    private readonly int[] _order;
    private readonly float[] _weights;

    public TokenSampler(int vocabularySize)
    {
        _scaled = new float[vocabularySize];
        _order = new int[vocabularySize];
        _weights = new float[vocabularySize];
    }

    /// <summary>The stream of sequence <paramref name="sequenceIndex"/> under <paramref name="seed"/>.</summary>
    public static SeededRandom StreamFor(ulong seed, long sequenceIndex) =>
        new(SeededRandom.DeriveSeed(seed, (ulong)sequenceIndex));

    /// <summary>Picks the next token from <paramref name="logits"/> (length V) under <paramref name="options"/>.</summary>
    public int Next(ReadOnlySpan<float> logits, SamplingOptions options, SeededRandom random)
    {
        if (options.Temperature == 0f)
        {
            return TensorPrimitives.IndexOfMax(logits);
        }

        int vocab = logits.Length;
        Span<float> scaled = _scaled.AsSpan(0, vocab);
        TensorPrimitives.Multiply(logits, 1f / options.Temperature, scaled);
        float max = TensorPrimitives.Max((ReadOnlySpan<float>)scaled);
        double u = random.NextDouble();
        int keep = options.TopK > 0 ? Math.Min(options.TopK, vocab) : vocab;
        if (keep == vocab && options.TopP >= 1f)
        {
            // Whole distribution: inverse CDF in id order, no sort needed.
            TensorPrimitives.Subtract(scaled, max, scaled);
            TensorPrimitives.Exp(scaled, scaled);
            return Draw(scaled, u);
        }

        var byLogit = new ByLogitDescending(_scaled);
        Span<int> order = _order.AsSpan(0, vocab);
        if (keep <= vocab / 8)
        {
            // A small top-k out of a large vocabulary: select with a heap of k, then sort only those.
            SelectBest(order, keep, byLogit);
            order = order[..keep];
        }
        else
        {
            for (int i = 0; i < vocab; i++)
            {
                order[i] = i;
            }
        }

        order.Sort(byLogit);
        Span<float> weights = _weights.AsSpan(0, keep);
        for (int i = 0; i < keep; i++)
        {
            weights[i] = MathF.Exp(scaled[order[i]] - max);
        }

        if (options.TopP < 1f)
        {
            double total = 0;
            foreach (float w in weights)
            {
                total += w;
            }

            // The nucleus: the shortest prefix whose mass reaches p of the (top-k) total; never empty.
            double cumulative = 0;
            int nucleus = 0;
            while (nucleus < keep)
            {
                cumulative += weights[nucleus++];
                if (cumulative >= options.TopP * total)
                {
                    break;
                }
            }

            weights = weights[..nucleus];
        }

        return order[Draw(weights, u)];
    }

    /// <summary>
    /// Puts the <paramref name="count"/> best token ids (by <paramref name="byLogit"/>) in order[0..count), unsorted:
    /// a heap whose root is the worst kept id, replaced whenever a better id comes along.
    /// </summary>
    private static void SelectBest(Span<int> order, int count, ByLogitDescending byLogit)
    {
        Span<int> heap = order[..count];
        for (int i = 0; i < count; i++)
        {
            heap[i] = i;
        }

        for (int i = count / 2 - 1; i >= 0; i--)
        {
            SiftDown(heap, i, byLogit);
        }

        for (int id = count; id < order.Length; id++)
        {
            if (byLogit.Compare(id, heap[0]) < 0)
            {
                heap[0] = id;
                SiftDown(heap, 0, byLogit);
            }
        }
    }

    /// <summary>Restores the heap below <paramref name="at"/>: every parent ranks no better than its children.</summary>
    private static void SiftDown(Span<int> heap, int at, ByLogitDescending byLogit)
    {
        while (true)
        {
            int worst = at;
            int left = 2 * at + 1;
            int right = left + 1;
            if (left < heap.Length && byLogit.Compare(heap[left], heap[worst]) > 0)
            {
                worst = left;
            }

            if (right < heap.Length && byLogit.Compare(heap[right], heap[worst]) > 0)
            {
                worst = right;
            }

            if (worst == at)
            {
                return;
            }

            (heap[at], heap[worst]) = (heap[worst], heap[at]);
            at = worst;
        }
    }

    /// <summary>Inverse CDF: the first index whose cumulative weight exceeds u·Σw, summed in index order.</summary>
    private static int Draw(ReadOnlySpan<float> weights, double u)
    {
        double total = 0;
        foreach (float w in weights)
        {
            total += w;
        }

        double target = u * total;
        double cumulative = 0;
        int last = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            if (weights[i] > 0f)
            {
                cumulative += weights[i];
                last = i;
                if (cumulative > target)
                {
                    return i;
                }
            }
        }

        // Rounding left the target at the very top: the last token with any weight.
        return last;
    }

    /// <summary>Orders token ids by scaled logit, highest first, ties by lower id.</summary>
    private readonly struct ByLogitDescending(float[] scaled) : IComparer<int>
    {
        public int Compare(int x, int y)
        {
            int byValue = scaled[y].CompareTo(scaled[x]);
            return byValue != 0 ? byValue : x.CompareTo(y);
        }
    }
}
