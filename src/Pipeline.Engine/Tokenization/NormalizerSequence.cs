// A tokenizer.json normalizer section (NFC, NFD or a Sequence of them) as a Microsoft.ML.Tokenizers normalizer.
using System.Diagnostics.CodeAnalysis;

namespace Pipeline.Engine.Tokenization;

/// <summary>
/// Applies canonical normalizations in order. Exposed through <see cref="Microsoft.ML.Tokenizers.Tokenizer.Normalizer"/>
/// so that code written against the library can normalize as the tokenizer does; the tokenizer itself uses the
/// allocation-free and offset-mapping entry points.
/// </summary>
internal sealed class NormalizerSequence : Microsoft.ML.Tokenizers.Normalizer
{
    private readonly bool[] forms;

    /// <summary>One entry per step: true for NFC, false for NFD.</summary>
    public NormalizerSequence(bool[] forms)
    {
        ArgumentOutOfRangeException.ThrowIfZero(forms.Length);
        this.forms = forms;
    }

    /// <inheritdoc />
    public override string Normalize(string original)
    {
        ArgumentNullException.ThrowIfNull(original);
        return TryNormalize(original, out string? normalized) ? normalized : original;
    }

    /// <inheritdoc />
    public override string Normalize(ReadOnlySpan<char> original) =>
        TryNormalize(original, out string? normalized) ? normalized : original.ToString();

    /// <summary>Normalizes <paramref name="text"/>; false, without allocating, when no step changes it.</summary>
    public bool TryNormalize(ReadOnlySpan<char> text, [NotNullWhen(true)] out string? normalized)
    {
        normalized = null;
        foreach (bool compose in forms)
        {
            if (UnicodeNormalizer.TryNormalize(normalized ?? text, compose, out string? next))
            {
                normalized = next;
            }
        }
        return normalized is not null;
    }

    /// <summary>
    /// As <see cref="TryNormalize(ReadOnlySpan{char}, out string?)"/>, also giving the input range
    /// [<paramref name="sourceStarts"/>[j], <paramref name="sourceEnds"/>[j]) each character j of the result comes from.
    /// </summary>
    public bool TryNormalize(ReadOnlySpan<char> text, [NotNullWhen(true)] out string? normalized,
        [NotNullWhen(true)] out int[]? sourceStarts, [NotNullWhen(true)] out int[]? sourceEnds)
    {
        normalized = null;
        sourceStarts = sourceEnds = null;
        foreach (bool compose in forms)
        {
            if (!UnicodeNormalizer.TryNormalize(normalized ?? text, compose, out string? next, out int[]? starts, out int[]? ends))
            {
                continue;
            }
            if (sourceStarts is not null)
            {
                // This step's ranges index the previous step's result: widen them to the input ranges they cover.
                for (int j = 0; j < starts.Length; j++)
                {
                    int start = int.MaxValue, end = int.MinValue;
                    for (int k = starts[j]; k < ends[j]; k++)
                    {
                        start = Math.Min(start, sourceStarts[k]);
                        end = Math.Max(end, sourceEnds![k]);
                    }
                    starts[j] = start;
                    ends[j] = end;
                }
            }
            normalized = next;
            sourceStarts = starts;
            sourceEnds = ends;
        }
        return normalized is not null;
    }
}
