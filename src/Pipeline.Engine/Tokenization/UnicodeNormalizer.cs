// Unicode canonical normalization (NFC, NFD) for tokenizer.json normalizers, independent of ICU and the host culture.
using System.Buffers;
using System.Diagnostics.CodeAnalysis;

namespace Pipeline.Engine.Tokenization;

/// <summary>
/// NFC and NFD per UAX #15, from the tables in <see cref="NormalizationData"/>. Optionally reports, for every character
/// of the result, the range of the input it came from, so that token offsets can point into the text as given.
/// </summary>
internal static class UnicodeNormalizer
{
    private const int HangulBase = 0xAC00, LeadBase = 0x1100, VowelBase = 0x1161, TrailBase = 0x11A7;
    private const int LeadCount = 19, VowelCount = 21, TrailCount = 28, HangulCount = LeadCount * VowelCount * TrailCount;

    // Text made only of characters up to these is already in the form. Nothing below U+00C0 has a canonical
    // decomposition or a non-zero combining class; U+00C0..U+02FF are precomposed letters, which NFC keeps but NFD
    // takes apart, so the wider shortcut is only valid for NFC.
    private const char NfdStableUpTo = '\u00BF';
    private const char NfcStableUpTo = '\u02FF';

    // Quick-check flags (UAX #15 section 9) of each BMP character: set when the character, as a starter that nothing
    // before it can combine with, leaves any text it is part of unchanged in that form.
    private const byte NfdStable = 1, NfcStable = 2;

    private static readonly Dictionary<int, int[]> Decompositions = BuildDecompositions();
    private static readonly Dictionary<long, int> Compositions = BuildCompositions();
    private static readonly byte[] BmpStability;
    private static readonly HashSet<int> AstralNfdUnstable = [];
    private static readonly HashSet<int> AstralNfcUnstable = [];

    [ThreadStatic] private static Scratch? scratch;

    static UnicodeNormalizer()
    {
        BmpStability = new byte[0x10000];
        Array.Fill(BmpStability, (byte)(NfdStable | NfcStable));
        void MarkUnstable(int cp, byte forms)
        {
            if (cp < 0x10000)
            {
                BmpStability[cp] &= (byte)~forms;
            }
            else
            {
                if ((forms & NfdStable) != 0)
                {
                    AstralNfdUnstable.Add(cp);
                }
                if ((forms & NfcStable) != 0)
                {
                    AstralNfcUnstable.Add(cp);
                }
            }
        }

        var ranges = NormalizationData.CombiningClassRanges;
        for (int i = 0; i < ranges.Length; i += 3)
        {
            for (int cp = ranges[i]; cp <= ranges[i + 1]; cp++)
            {
                MarkUnstable(cp, NfdStable | NfcStable);
            }
        }
        foreach (var (cp, parts) in Decompositions)
        {
            // A precomposed character NFC rebuilds from its decomposition stays; singletons and exclusions do not.
            var single = new List<int>(parts);
            Reorder(single, null, null);
            Compose(single, null, null);
            MarkUnstable(cp, single is [var back] && back == cp ? NfdStable : (byte)(NfdStable | NfcStable));
        }
        for (int i = 1; i < NormalizationData.Compositions.Length; i += 3)
        {
            // Can combine with what precedes it (NFC_QC=Maybe).
            MarkUnstable(NormalizationData.Compositions[i], NfcStable);
        }
        for (int cp = HangulBase; cp < HangulBase + HangulCount; cp++)
        {
            MarkUnstable(cp, NfdStable);
        }
        for (int cp = VowelBase; cp < VowelBase + VowelCount; cp++)
        {
            MarkUnstable(cp, NfcStable);
        }
        for (int cp = TrailBase + 1; cp < TrailBase + TrailCount; cp++)
        {
            MarkUnstable(cp, NfcStable);
        }
        // Surrogates are looked up as the code point a pair makes; a lone surrogate is a starter without decomposition.
        BmpStability.AsSpan(0xD800, 0x800).Fill(NfdStable | NfcStable);
    }

    /// <summary>Canonical decomposition, then canonical composition when <paramref name="compose"/> (NFC), else NFD.</summary>
    public static string Normalize(string text, bool compose) => TryNormalize(text, compose, out string? normalized) ? normalized : text;

    /// <summary>
    /// Normalizes <paramref name="text"/>; false (and no allocation) when it is already in the form, in which case
    /// <paramref name="normalized"/> is null.
    /// </summary>
    public static bool TryNormalize(ReadOnlySpan<char> text, bool compose, [NotNullWhen(true)] out string? normalized)
    {
        normalized = IsStable(text, compose) ? null : Run(text, compose, aligned: false, out _, out _);
        return normalized is not null;
    }

    /// <summary>
    /// As <see cref="TryNormalize(ReadOnlySpan{char}, bool, out string?)"/>, also giving for each character j of the
    /// result the input range [<paramref name="sourceStarts"/>[j], <paramref name="sourceEnds"/>[j]) it comes from. A
    /// composed character spans all the characters it was made of; the parts of a decomposed one each span the whole.
    /// </summary>
    public static bool TryNormalize(ReadOnlySpan<char> text, bool compose, [NotNullWhen(true)] out string? normalized,
        [NotNullWhen(true)] out int[]? sourceStarts, [NotNullWhen(true)] out int[]? sourceEnds)
    {
        if (IsStable(text, compose))
        {
            normalized = null;
            sourceStarts = sourceEnds = null;
            return false;
        }
        normalized = Run(text, compose, aligned: true, out sourceStarts, out sourceEnds);
        return normalized is not null;
    }

    /// <summary>The canonical combining class of a code point (0 for starters).</summary>
    public static int CombiningClass(int cp)
    {
        if (cp < 0x300)
        {
            return 0;
        }
        var ranges = NormalizationData.CombiningClassRanges;
        int low = 0, high = ranges.Length / 3 - 1;
        while (low <= high)
        {
            int mid = (low + high) >>> 1;
            if (cp < ranges[mid * 3])
            {
                high = mid - 1;
            }
            else if (cp > ranges[mid * 3 + 1])
            {
                low = mid + 1;
            }
            else
            {
                return ranges[mid * 3 + 2];
            }
        }
        return 0;
    }

    private static bool IsStable(ReadOnlySpan<char> text, bool compose)
    {
        if (text.IndexOfAnyExceptInRange('\0', compose ? NfcStableUpTo : NfdStableUpTo) < 0)
        {
            return true;
        }
        byte form = compose ? NfcStable : NfdStable;
        var astralUnstable = compose ? AstralNfcUnstable : AstralNfdUnstable;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if ((BmpStability[c] & form) == 0)
            {
                return false;
            }
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                if (astralUnstable.Contains(char.ConvertToUtf32(c, text[i + 1])))
                {
                    return false;
                }
                i++;
            }
        }
        return true;
    }

    // Null when the result equals the input (characters only unstable in isolation, such as an unmatched "maybe").
    private static string? Run(ReadOnlySpan<char> text, bool compose, bool aligned, out int[]? sourceStarts, out int[]? sourceEnds)
    {
        var s = scratch ??= new Scratch();
        s.CodePoints.Clear();
        s.Starts.Clear();
        s.Ends.Clear();
        var starts = aligned ? s.Starts : null;
        var ends = aligned ? s.Ends : null;
        Decompose(text, s.CodePoints, starts, ends);
        Reorder(s.CodePoints, starts, ends);
        if (compose)
        {
            Compose(s.CodePoints, starts, ends);
        }

        var codePoints = s.CodePoints;
        int length = 0;
        foreach (int cp in codePoints)
        {
            length += cp >= 0x10000 ? 2 : 1;
        }
        char[] buffer = ArrayPool<char>.Shared.Rent(length);
        try
        {
            int written = 0;
            for (int i = 0; i < codePoints.Count; i++)
            {
                int cp = codePoints[i];
                if (cp >= 0x10000)
                {
                    buffer[written++] = (char)(0xD7C0 + (cp >> 10));
                    buffer[written++] = (char)(0xDC00 + (cp & 0x3FF));
                }
                else
                {
                    buffer[written++] = (char)cp;
                }
            }
            var result = buffer.AsSpan(0, length);
            if (result.SequenceEqual(text))
            {
                sourceStarts = sourceEnds = null;
                return null;
            }
            if (aligned)
            {
                sourceStarts = new int[length];
                sourceEnds = new int[length];
                for (int i = 0, j = 0; i < codePoints.Count; i++)
                {
                    int units = codePoints[i] >= 0x10000 ? 2 : 1;
                    for (int k = 0; k < units; k++, j++)
                    {
                        sourceStarts[j] = starts![i];
                        sourceEnds[j] = ends![i];
                    }
                }
            }
            else
            {
                sourceStarts = sourceEnds = null;
            }
            return new string(result);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    private static void Decompose(ReadOnlySpan<char> text, List<int> output, List<int>? starts, List<int>? ends)
    {
        for (int i = 0; i < text.Length;)
        {
            int cp = text[i];
            int used = 1;
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                cp = char.ConvertToUtf32(text[i], text[i + 1]);
                used = 2;
            }
            int before = output.Count;
            int h = cp - HangulBase;
            if (h is >= 0 and < HangulCount)
            {
                output.Add(LeadBase + h / (VowelCount * TrailCount));
                output.Add(VowelBase + h % (VowelCount * TrailCount) / TrailCount);
                if (h % TrailCount != 0)
                {
                    output.Add(TrailBase + h % TrailCount);
                }
            }
            else if (Decompositions.TryGetValue(cp, out var parts))
            {
                output.AddRange(parts);
            }
            else
            {
                output.Add(cp);
            }
            if (starts is not null)
            {
                for (int k = before; k < output.Count; k++)
                {
                    starts.Add(i);
                    ends!.Add(i + used);
                }
            }
            i += used;
        }
    }

    // Stable sort of each run of non-starters by combining class.
    private static void Reorder(List<int> cps, List<int>? starts, List<int>? ends)
    {
        for (int i = 1; i < cps.Count; i++)
        {
            int cc = CombiningClass(cps[i]);
            if (cc == 0)
            {
                continue;
            }
            int j = i;
            while (j > 0 && CombiningClass(cps[j - 1]) > cc)
            {
                (cps[j - 1], cps[j]) = (cps[j], cps[j - 1]);
                if (starts is not null)
                {
                    (starts[j - 1], starts[j]) = (starts[j], starts[j - 1]);
                    (ends![j - 1], ends[j]) = (ends[j], ends[j - 1]);
                }
                j--;
            }
        }
    }

    // A mark composes with the last starter unless a character between them has class 0 or a class >= its own.
    private static void Compose(List<int> cps, List<int>? starts, List<int>? ends)
    {
        int write = 0;
        int starter = -1;
        int lastClass = 0;
        for (int read = 0; read < cps.Count; read++)
        {
            int cp = cps[read];
            int cc = CombiningClass(cp);
            if (starter >= 0)
            {
                bool adjacent = write - 1 == starter;
                if ((adjacent || (lastClass != 0 && lastClass < cc)) && TryCompose(cps[starter], cp, out int composite))
                {
                    cps[starter] = composite;
                    if (starts is not null)
                    {
                        starts[starter] = Math.Min(starts[starter], starts[read]);
                        ends![starter] = Math.Max(ends[starter], ends[read]);
                    }
                    continue;
                }
            }
            if (cc == 0)
            {
                starter = write;
            }
            lastClass = cc;
            if (starts is not null)
            {
                starts[write] = starts[read];
                ends![write] = ends[read];
            }
            cps[write++] = cp;
        }
        cps.RemoveRange(write, cps.Count - write);
        starts?.RemoveRange(write, starts.Count - write);
        ends?.RemoveRange(write, ends.Count - write);
    }

    private static bool TryCompose(int first, int second, out int composite)
    {
        int l = first - LeadBase, v = second - VowelBase;
        if (l is >= 0 and < LeadCount && v is >= 0 and < VowelCount)
        {
            composite = HangulBase + (l * VowelCount + v) * TrailCount;
            return true;
        }
        int s = first - HangulBase, t = second - TrailBase;
        if (s is >= 0 and < HangulCount && s % TrailCount == 0 && t is > 0 and < TrailCount)
        {
            composite = first + t;
            return true;
        }
        return Compositions.TryGetValue(((long)first << 32) | (uint)second, out composite);
    }

    private static Dictionary<int, int[]> BuildDecompositions()
    {
        var data = NormalizationData.Decompositions;
        var map = new Dictionary<int, int[]>(2100);
        for (int i = 0; i < data.Length;)
        {
            int cp = data[i], length = data[i + 1];
            map[cp] = data.AsSpan(i + 2, length).ToArray();
            i += 2 + length;
        }
        return map;
    }

    private static Dictionary<long, int> BuildCompositions()
    {
        var data = NormalizationData.Compositions;
        var map = new Dictionary<long, int>(data.Length / 3);
        for (int i = 0; i < data.Length; i += 3)
        {
            map[((long)data[i] << 32) | (uint)data[i + 1]] = data[i + 2];
        }
        return map;
    }

    private sealed class Scratch
    {
        public readonly List<int> CodePoints = [];
        public readonly List<int> Starts = [];
        public readonly List<int> Ends = [];
    }
}
