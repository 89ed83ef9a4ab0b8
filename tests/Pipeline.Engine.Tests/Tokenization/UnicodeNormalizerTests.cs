// Canonical normalization used by NFC/NFD normalizers.
namespace Pipeline.Engine.Tests.Tokenization;

public class UnicodeNormalizerTests
{
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
}
