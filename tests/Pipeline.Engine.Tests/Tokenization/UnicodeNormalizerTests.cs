// Canonical normalization used by NFC/NFD normalizers: hand-picked cases, then every code point against node's ICU.
using System.Text;

namespace Pipeline.Engine.Tests.Tokenization;

public class UnicodeNormalizerTests
{
    // Each code point is normalized alone and between these: after a starter and before an acute accent (composition
    // across it), between marks of classes 240 and 1 (canonical ordering by its class), and between a Hangul leading
    // and trailing consonant (arithmetic composition).
    private static readonly (string Prefix, string Suffix)[] Contexts =
        [("", ""), ("a", "\u0301"), ("\u0345", "\u0334"), ("\u1100", "\u11A8")];

    private static readonly Lazy<NormalizationReference> Reference = new(() => NormalizationReference.Compute(Contexts));

    [Theory]
    [InlineData("e\u0301", "é")]
    [InlineData("A\u030A", "Å")]
    [InlineData("\u212B", "Å")]                   // Angstrom sign is a singleton: never composed back
    [InlineData("s\u0323\u0307", "\u1E69")]       // two marks onto one base
    [InlineData("s\u0307\u0323", "\u1E69")]       // same, after canonical reordering
    [InlineData("\u1100\u1161\u11A8", "각")]      // Hangul jamo L V T
    [InlineData("a\u059B\u05BC", "a\u05BC\u059B")] // marks without composites are only reordered by class
    [InlineData("plain ascii", "plain ascii")]
    public void Normalize_Nfc_ComposesCanonically(string input, string expected)
    {
        Assert.Equal(expected, UnicodeNormalizer.Normalize(input, compose: true));
    }

    [Fact]
    public void Normalize_Nfd_DecomposesHangulAndAccents()
    {
        Assert.Equal("\u1100\u1161\u11A8e\u0301", UnicodeNormalizer.Normalize("각é", compose: false));
    }

    [Theory]
    [InlineData("café", "cafe\u0301")]
    [InlineData("café — ok", "cafe\u0301 — ok")]
    [InlineData("Ångström", "A\u030Angstro\u0308m")]
    [InlineData("\u01CDx", "A\u030Cx")]
    public void Normalize_NfdOfLatin1AndLatinExtendedOnly_Decomposes(string input, string expected)
    {
        // Text below U+0300 used to be returned as it was, a shortcut that only holds for NFC.
        Assert.Equal(expected, UnicodeNormalizer.Normalize(input, compose: false));
    }

    [Fact]
    public void TryNormalize_AlignedNfc_ComposedCharacterSpansItsParts()
    {
        Assert.True(UnicodeNormalizer.TryNormalize("xe\u0301y", compose: true, out string? normalized, out int[]? starts, out int[]? ends));

        Assert.Equal("xéy", normalized);
        Assert.Equal([0, 1, 3], starts);
        Assert.Equal([1, 3, 4], ends);
    }

    [Fact]
    public void TryNormalize_AlignedNfd_PartsSpanTheCharacterTheyComeFrom()
    {
        Assert.True(UnicodeNormalizer.TryNormalize("é😀각", compose: false, out string? normalized, out int[]? starts, out int[]? ends));

        Assert.Equal("e\u0301😀\u1100\u1161\u11A8", normalized);
        Assert.Equal([0, 0, 1, 1, 3, 3, 3], starts);
        Assert.Equal([1, 1, 3, 3, 4, 4, 4], ends);
    }

    [Theory]
    [InlineData("plain ascii", true)]
    [InlineData("日本語のテキスト 😀", true)]
    [InlineData("café 각", true)]
    [InlineData("plain ascii", false)]
    [InlineData("日本語のテキスト 😀", false)]
    public void TryNormalize_TextAlreadyInTheForm_ReturnsFalse(string text, bool compose)
    {
        Assert.False(UnicodeNormalizer.TryNormalize(text, compose, out string? normalized));
        Assert.Null(normalized);
        Assert.Same(text, UnicodeNormalizer.Normalize(text, compose));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Normalize_EveryCodePointAloneAndInContexts_MatchesNodeReference(bool compose)
    {
        var reference = Reference.Value;
        var tables = Version.Parse(NormalizationData.UnicodeVersion);
        Assert.True(reference.UnicodeVersion >= tables,
            $"node's ICU implements Unicode {reference.UnicodeVersion}, older than the tables' {tables}: use a newer node.");

        var mismatches = new List<(int Context, int CodePoint, string Text, string Expected, string Actual)>();
        int checkedCount = 0;
        for (int context = 0; context < Contexts.Length; context++)
        {
            var (prefix, suffix) = Contexts[context];
            for (int cp = 0; cp <= 0x10FFFF; cp++)
            {
                if (cp is >= 0xD800 and <= 0xDFFF)
                {
                    continue;
                }
                string text = prefix + char.ConvertFromUtf32(cp) + suffix;
                string expected = reference.Normalized(context, cp, text, compose);
                string actual = UnicodeNormalizer.Normalize(text, compose);
                checkedCount++;
                if (actual != expected)
                {
                    mismatches.Add((context, cp, text, expected, actual));
                }
            }
        }

        // Characters assigned after the tables' version are unknown to them (class 0, no decomposition): those listed
        // with their reason are expected to differ; anything else is a defect, or a change of a version not yet listed.
        var unexplained = mismatches.Where(m => !UnicodeVersionChanges.Explains(m.CodePoint, tables, reference.UnicodeVersion)).ToList();
        string unlisted = reference.UnicodeVersion > UnicodeVersionChanges.Newest
            ? $" The reference is newer than the newest version listed in UnicodeVersionChanges ({UnicodeVersionChanges.Newest}):" +
              " list the code points that version changed, or regenerate the tables."
            : "";
        Assert.True(unexplained.Count == 0,
            $"{unexplained.Count} of {checkedCount} strings differ from node (ICU {reference.IcuVersion}, Unicode " +
            $"{reference.UnicodeVersion}; tables: Unicode {tables}) at code points {Ranges(unexplained.Select(m => m.CodePoint))}.{unlisted}\n" +
            string.Join('\n', unexplained.Take(12).Select(m =>
                $"  context {m.Context} U+{m.CodePoint:X4}: {Hex(m.Text)} -> expected {Hex(m.Expected)}, got {Hex(m.Actual)}")));
    }

    private static string Hex(string s) => string.Join(' ', s.EnumerateRunes().Select(r => r.Value.ToString("X4")));

    private static string Ranges(IEnumerable<int> codePoints)
    {
        var text = new StringBuilder();
        int start = -1, end = -1;
        foreach (int cp in codePoints.Distinct().Order().Append(int.MaxValue))
        {
            if (cp == end + 1)
            {
                end = cp;
                continue;
            }
            if (start >= 0)
            {
                text.Append(start == end ? $"{start:X4} " : $"{start:X4}..{end:X4} ");
            }
            start = end = cp;
        }
        return text.ToString().TrimEnd();
    }
}
