// Unicode canonical normalization (NFC, NFD) for tokenizer.json normalizers, independent of ICU and the host culture.
using System.Text;

namespace Pipeline.Engine.Tokenization;

/// <summary>NFC and NFD per UAX #15, from the tables in <see cref="NormalizationData"/>.</summary>
internal static class UnicodeNormalizer
{
    private const int HangulBase = 0xAC00, LeadBase = 0x1100, VowelBase = 0x1161, TrailBase = 0x11A7;
    private const int LeadCount = 19, VowelCount = 21, TrailCount = 28, HangulCount = LeadCount * VowelCount * TrailCount;

    // Text made only of characters up to these is already in the form. Nothing below U+00C0 has a canonical
    // decomposition or a non-zero combining class; U+00C0..U+02FF are precomposed letters, which NFC keeps but NFD
    // takes apart, so the wider shortcut is only valid for NFC.
    private const char NfdStableUpTo = '\u00BF';
    private const char NfcStableUpTo = '\u02FF';

    private static readonly Dictionary<int, int[]> Decompositions = BuildDecompositions();
    private static readonly Dictionary<long, int> Compositions = BuildCompositions();

    /// <summary>Canonical decomposition, then canonical composition when <paramref name="compose"/> (NFC), else NFD.</summary>
    public static string Normalize(string text, bool compose)
    {
        if (text.AsSpan().IndexOfAnyExceptInRange('\0', compose ? NfcStableUpTo : NfdStableUpTo) < 0)
        {
            return text;
        }
        var codePoints = Decompose(text);
        Reorder(codePoints);
        if (compose)
        {
            Compose(codePoints);
        }
        var result = new StringBuilder(text.Length);
        foreach (int cp in codePoints)
        {
            if (cp is >= 0xD800 and <= 0xDFFF)
            {
                result.Append((char)cp);
            }
            else
            {
                result.Append(char.ConvertFromUtf32(cp));
            }
        }
        return result.ToString();
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

    private static List<int> Decompose(string text)
    {
        var output = new List<int>(text.Length + 8);
        for (int i = 0; i < text.Length; i++)
        {
            int cp = text[i];
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                cp = char.ConvertToUtf32(text[i], text[i + 1]);
                i++;
            }
            int s = cp - HangulBase;
            if (s is >= 0 and < HangulCount)
            {
                output.Add(LeadBase + s / (VowelCount * TrailCount));
                output.Add(VowelBase + s % (VowelCount * TrailCount) / TrailCount);
                if (s % TrailCount != 0)
                {
                    output.Add(TrailBase + s % TrailCount);
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
        }
        return output;
    }

    // Stable sort of each run of non-starters by combining class.
    private static void Reorder(List<int> cps)
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
                j--;
            }
        }
    }

    // A mark composes with the last starter unless a character between them has class 0 or a class >= its own.
    private static void Compose(List<int> cps)
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
                    continue;
                }
            }
            if (cc == 0)
            {
                starter = write;
            }
            lastClass = cc;
            cps[write++] = cp;
        }
        cps.RemoveRange(write, cps.Count - write);
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
}
