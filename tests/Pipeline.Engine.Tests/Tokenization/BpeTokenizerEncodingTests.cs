// BpeTokenizer through Microsoft.ML.Tokenizers' API: token offsets into the input, counts, truncation by token count,
// and the encode settings.
using Microsoft.ML.Tokenizers;
using BpeTokenizer = Pipeline.Engine.Tokenization.BpeTokenizer;

namespace Pipeline.Engine.Tests.Tokenization;

public class BpeTokenizerEncodingTests
{
    // a, é (C3 A9), 😀 (F0 9F 98 80), b: without merges one token per byte.
    private const string Mixed = "aé😀b";

    [Fact]
    public void EncodeToTokens_MultibyteAndAstralCharacters_EachByteTokenSpansItsWholeCharacter()
    {
        Tokenizer tokenizer = TinyTokenizers.ByteLevel([]);

        var tokens = tokenizer.EncodeToTokens(Mixed, out string? normalized);

        Assert.Null(normalized);
        Assert.Equal([0x61, 0xC3, 0xA9, 0xF0, 0x9F, 0x98, 0x80, 0x62], tokens.Select(t => t.Id));
        Assert.Equal([(0, 1), (1, 2), (1, 2), (2, 4), (2, 4), (2, 4), (2, 4), (4, 5)], Ranges(tokens));
        Assert.Equal(["a", "Ã", "©", "ð", "Ł", "ĺ", "Ģ", "b"], tokens.Select(t => t.Value));
    }

    [Fact]
    public void EncodeToTokens_AddedTokens_ValueIsContentAndOffsetCoversStrippedWhitespace()
    {
        Tokenizer tokenizer = TinyTokenizers.ByteLevel([], added:
            [new AddedToken(300, "<mask>", true, LeftStrip: true, RightStrip: true), new AddedToken(301, "<|eos|>", true)]);

        var tokens = tokenizer.EncodeToTokens("a <mask> b<|eos|>", out _);

        Assert.Equal([(0x61, "a", 0, 1), (300, "<mask>", 1, 9), (0x62, "b", 9, 10), (301, "<|eos|>", 10, 17)],
            tokens.Select(t => (t.Id, t.Value, t.Offset.Start.Value, t.Offset.End.Value)));
    }

    [Fact]
    public void EncodeToTokens_NfcNormalizer_OffsetsIndexTheDecomposedInput()
    {
        Tokenizer tokenizer = TinyTokenizers.ByteLevel([("Ã", "©")], normalizer: "NFC");
        const string text = "cafe\u0301!";

        var tokens = tokenizer.EncodeToTokens(text, out string? normalized);
        var raw = tokenizer.EncodeToTokens(text, out _, considerNormalization: false);

        Assert.Null(normalized);
        Assert.Equal([('c', 0, 1), ('a', 1, 2), ('f', 2, 3), (256, 3, 5), ('!', 5, 6)], tokens.Select(t => (t.Id, t.Offset.Start.Value, t.Offset.End.Value)));
        Assert.Equal("e\u0301", text[tokens[3].Offset]);
        Assert.Equal([('c', 0, 1), ('a', 1, 2), ('f', 2, 3), ('e', 3, 4), (0xCC, 4, 5), (0x81, 4, 5), ('!', 5, 6)],
            raw.Select(t => (t.Id, t.Offset.Start.Value, t.Offset.End.Value)));
    }

    [Fact]
    public void EncodeToTokens_NfdNormalizer_PartsOfADecomposedCharacterShareItsRange()
    {
        // NFD makes "e" + U+0301 (CC 81), which the GPT-2 pattern splits into two words.
        Tokenizer tokenizer = TinyTokenizers.ByteLevel([], normalizer: "NFD");

        var tokens = tokenizer.EncodeToTokens("éx", out _);

        Assert.Equal([('e', 0, 1), (0xCC, 0, 1), (0x81, 0, 1), ('x', 1, 2)], tokens.Select(t => (t.Id, t.Offset.Start.Value, t.Offset.End.Value)));
    }

    [Fact]
    public void EncodeToTokens_NfcReordersMarks_TokensComeOutOfInputOrder()
    {
        // U+059B (class 220) then U+05BC (class 21): canonical ordering puts U+05BC first.
        Tokenizer tokenizer = TinyTokenizers.ByteLevel([], normalizer: "NFC");

        var tokens = tokenizer.EncodeToTokens("x\u059B\u05BC", out _);

        Assert.Equal([('x', 0, 1), (0xD6, 2, 3), (0xBC, 2, 3), (0xD6, 1, 2), (0x9B, 1, 2)], tokens.Select(t => (t.Id, t.Offset.Start.Value, t.Offset.End.Value)));
    }

    [Fact]
    public void EncodeToTokens_ByteLevelPrefixSpace_SpaceStandsForTheCharacterAfterIt()
    {
        Tokenizer tokenizer = TinyTokenizers.ByteLevel([("Ġ", "h")], addPrefixSpace: true);

        var word = tokenizer.EncodeToTokens("hi", out _);
        // " \tx": the prefix space is a word of its own before the tab.
        var alone = tokenizer.EncodeToTokens("\tx", out _);

        Assert.Equal([(256, "Ġh", 0, 1), ('i', "i", 1, 2)], word.Select(t => (t.Id, t.Value, t.Offset.Start.Value, t.Offset.End.Value)));
        Assert.Equal([(' ', 0, 1), ('\t', 0, 1), ('x', 1, 2)], alone.Select(t => (t.Id, t.Offset.Start.Value, t.Offset.End.Value)));
    }

    [Fact]
    public void EncodeToTokens_CharacterTokenizer_OneTokenPerCharacterAstralIncluded()
    {
        Tokenizer tokenizer = CharacterTokenizerBuilder.Build("aé😀", ["<|eos|>"]);

        var tokens = tokenizer.EncodeToTokens("aé😀<|eos|>", out _);

        Assert.Equal([(1, "a", 0, 1), (2, "é", 1, 2), (3, "😀", 2, 4), (0, "<|eos|>", 4, 11)],
            tokens.Select(t => (t.Id, t.Value, t.Offset.Start.Value, t.Offset.End.Value)));
    }

    [Fact]
    public void EncodeToTokens_UnknownToken_CoversTheCharacterItStandsFor()
    {
        // The unknown token's spelling says nothing of its length, so its range comes from the BPE run itself.
        var vocab = new Dictionary<string, int> { ["<unk>"] = 0, ["a"] = 1, ["b"] = 2, ["ab"] = 3 };
        Tokenizer tokenizer = new BpeTokenizer(new TokenizerDefinition(vocab, [("a", "b")], "<unk>", false, [], null,
            System.Text.Json.Nodes.JsonNode.Parse("""{"type":"Split","pattern":{"String":" "},"behavior":"Removed","invert":false}"""),
            null, System.Text.Json.Nodes.JsonNode.Parse("""{"type":"Fuse"}""")));

        var tokens = tokenizer.EncodeToTokens("ab 😀b a", out _);

        Assert.Equal([(3, 0, 2), (0, 3, 5), (2, 5, 6), (1, 7, 8)], tokens.Select(t => (t.Id, t.Offset.Start.Value, t.Offset.End.Value)));
    }

    [Fact]
    public void CountTokens_VariedLines_EqualsTheNumberOfIds()
    {
        var lines = ParityCorpus.Lines(seed: 21, count: 200);
        Tokenizer byteLevel = BpeTrainer.Train(lines, vocabularySize: 400);
        Tokenizer characters = CharacterTokenizerBuilder.Build(string.Concat(lines));

        foreach (var tokenizer in new[] { byteLevel, characters })
        {
            foreach (string line in lines)
            {
                var ids = tokenizer.EncodeToIds(line);
                Assert.Equal(ids.Count, tokenizer.CountTokens(line));
                Assert.Equal(ids, tokenizer.EncodeToTokens(line, out _).Select(t => t.Id));
                Assert.Equal(line, tokenizer.Decode(ids));
            }
        }
    }

    [Fact]
    public void EncodeToTokens_ManyThreadsAtOnce_SameTokensAsOneThread()
    {
        // Encoding reuses per-thread buffers and shares the word cache.
        var lines = ParityCorpus.Lines(seed: 22, count: 400);
        Tokenizer tokenizer = BpeTrainer.Train(lines, vocabularySize: 500);
        var expected = lines.Select(l => Describe(tokenizer.EncodeToTokens(l, out _))).ToList();
        Tokenizer fresh = BpeTrainer.Train(lines, vocabularySize: 500);
        var actual = new List<(int, int, int)>[lines.Count];

        Parallel.For(0, lines.Count, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            i => actual[i] = Describe(fresh.EncodeToTokens(lines[i], out _)));

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void GetIndexByTokenCount_LimitInsideACharacter_KeepsOnlyWholeCharacters()
    {
        Tokenizer tokenizer = TinyTokenizers.ByteLevel([]);

        Assert.Equal((2, 3), IndexAndCount(tokenizer, Mixed, 4, fromEnd: false));
        Assert.Equal((1, 1), IndexAndCount(tokenizer, Mixed, 1, fromEnd: false));
        Assert.Equal((5, 8), IndexAndCount(tokenizer, Mixed, 8, fromEnd: false));
        Assert.Equal((4, 1), IndexAndCount(tokenizer, Mixed, 3, fromEnd: true));
        Assert.Equal((2, 5), IndexAndCount(tokenizer, Mixed, 5, fromEnd: true));
        Assert.Equal((0, 8), IndexAndCount(tokenizer, Mixed, 100, fromEnd: true));
    }

    [Fact]
    public void GetIndexByTokenCount_NfdPartsOfOneCharacter_KeptOrDroppedTogether()
    {
        Tokenizer tokenizer = TinyTokenizers.ByteLevel([], normalizer: "NFD");

        Assert.Equal((0, 0), IndexAndCount(tokenizer, "éx", 2, fromEnd: false));
        Assert.Equal((1, 3), IndexAndCount(tokenizer, "éx", 3, fromEnd: false));
        Assert.Equal((1, 1), IndexAndCount(tokenizer, "éx", 2, fromEnd: true));
    }

    [Fact]
    public void EncodeToIds_MaxTokenCount_ReturnsTheKeptIdsAndTheCharactersTheyCover()
    {
        Tokenizer tokenizer = TinyTokenizers.ByteLevel([]);

        var ids = tokenizer.EncodeToIds(Mixed, maxTokenCount: 4, out string? normalized, out int consumed);
        var all = tokenizer.EncodeToIds(Mixed, maxTokenCount: 50, out _, out int consumedAll);

        Assert.Equal([0x61, 0xC3, 0xA9], ids);
        Assert.Null(normalized);
        Assert.Equal(2, consumed);
        Assert.Equal(8, all.Count);
        Assert.Equal(Mixed.Length, consumedAll);
        Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.EncodeToIds(Mixed, maxTokenCount: 0, out _, out _));
    }

    [Fact]
    public void EncodeToIds_WithoutPreTokenization_BpeRunsAcrossWords()
    {
        Tokenizer tokenizer = TinyTokenizers.ByteLevel([("a", "Ġ")]);

        Assert.Equal([0x61, 0x20, 0x62], tokenizer.EncodeToIds("a b"));
        Assert.Equal([256, 0x62], tokenizer.EncodeToIds("a b", considerPreTokenization: false));
        Assert.Equal([(256, 0, 2), (0x62, 2, 3)], tokenizer.EncodeToTokens("a b", out _, considerPreTokenization: false)
            .Select(t => (t.Id, t.Offset.Start.Value, t.Offset.End.Value)));
    }

    [Fact]
    public void Normalizer_NfcTokenizer_NormalizesLikeTheTokenizer()
    {
        Assert.Equal("café", TinyTokenizers.ByteLevel([], normalizer: "NFC").Normalizer!.Normalize("cafe\u0301"));
        Assert.Equal("cafe\u0301", TinyTokenizers.ByteLevel([], normalizer: "NFD").Normalizer!.Normalize("café".AsSpan()));
        Assert.Null(TinyTokenizers.ByteLevel([]).Normalizer);
    }

    private static (int Index, int Count) IndexAndCount(Tokenizer tokenizer, string text, int max, bool fromEnd)
    {
        int count;
        int index = fromEnd
            ? tokenizer.GetIndexByTokenCountFromEnd(text, max, out string? normalized, out count)
            : tokenizer.GetIndexByTokenCount(text, max, out normalized, out count);
        Assert.Null(normalized);
        return (index, count);
    }

    private static List<(int, int, int)> Describe(IEnumerable<EncodedToken> tokens) =>
        tokens.Select(t => (t.Id, t.Offset.Start.Value, t.Offset.End.Value)).ToList();

    private static IEnumerable<(int, int)> Ranges(IEnumerable<EncodedToken> tokens) =>
        tokens.Select(t => (t.Offset.Start.Value, t.Offset.End.Value));
}
