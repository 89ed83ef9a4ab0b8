// BpeTokenizer on hand-built vocabularies: merge order, added tokens, decoding, tokenizer.json round trips.
using System.Text.Json.Nodes;
using Pipeline.Testing;

namespace Pipeline.Engine.Tests.Tokenization;

public class BpeTokenizerTests
{
    private static BpeTokenizer TinyByteLevel(IReadOnlyList<(string, string)> merges, bool ignoreMerges = false,
        IReadOnlyList<AddedToken>? added = null) => TinyTokenizers.ByteLevel(merges, ignoreMerges, added);

    [Fact]
    public void Encode_TinyMergeTable_AppliesLowestRankFirst()
    {
        // "abc": (b,c) has the better rank, so "a" + "bc"; (a,b) never applies afterwards.
        var tokenizer = TinyByteLevel([("b", "c"), ("a", "b"), ("a", "bc")]);

        int[] ids = tokenizer.Encode("abc ab");

        Assert.Equal(["abc", "Ġ", "ab"], ids.Select(id => tokenizer.IdToToken(id)));
    }

    [Fact]
    public void Encode_RepeatedPair_MergesLeftmostFirst()
    {
        var tokenizer = TinyByteLevel([("a", "a")]);

        Assert.Equal(["aa", "aa", "a"], tokenizer.Encode("aaaaa").Select(id => tokenizer.IdToToken(id)));
    }

    [Fact]
    public void Encode_LongRunOfOneSymbol_MergesPairwiseLevelByLevel()
    {
        var tokenizer = TinyByteLevel([("a", "a"), ("aa", "aa")]);

        int[] ids = tokenizer.Encode(new string('a', 10_001));

        Assert.Equal(2501, ids.Length);
        Assert.All(ids.Take(2500), id => Assert.Equal("aaaa", tokenizer.IdToToken(id)));
        Assert.Equal("a", tokenizer.IdToToken(ids[^1]));
    }

    [Fact]
    public void Encode_IgnoreMerges_UsesWholeWordWhenInVocabulary()
    {
        // "abc" is only reachable through merges that the ranks would not produce, but it is in the vocabulary.
        var merges = new List<(string, string)> { ("b", "c"), ("a", "b"), ("ab", "c") };
        var plain = TinyByteLevel(merges);
        var ignoring = TinyByteLevel(merges, ignoreMerges: true);

        Assert.Equal(["a", "bc"], plain.Encode("abc").Select(id => plain.IdToToken(id)));
        Assert.Equal(["abc"], ignoring.Encode("abc").Select(id => ignoring.IdToToken(id)));
    }

    [Fact]
    public void Encode_SpecialTokenInText_GetsItsOwnId()
    {
        var tokenizer = TinyByteLevel([], added: [new AddedToken(300, "<|eos|>", true), new AddedToken(301, "<|bos|>", true)]);

        int[] ids = tokenizer.Encode("<|bos|>hi<|eos|>");

        Assert.Equal([301, 'h', 'i', 300], ids);
        Assert.Equal(301, tokenizer.BosId);
        Assert.Equal(300, tokenizer.EosId);
        Assert.Null(tokenizer.PadId);
        Assert.Equal(302, tokenizer.VocabularySize);
        Assert.Equal("hi", tokenizer.Decode(ids, skipSpecialTokens: true));
        Assert.Equal("<|bos|>hi<|eos|>", tokenizer.Decode(ids));
    }

    [Fact]
    public void Decode_InvalidUtf8_BecomesReplacementCharacter()
    {
        var tokenizer = TinyByteLevel([]);
        int[] euro = tokenizer.Encode("€"); // E2 82 AC

        Assert.Equal(3, euro.Length);
        Assert.Equal("\uFFFD", tokenizer.Decode(euro.AsSpan(0, 2)));
        Assert.Equal("\uFFFDx", tokenizer.Decode([euro[1], 'x']));
        Assert.Equal("€", tokenizer.Decode(euro));
    }

    [Fact]
    public void Decode_DestinationTooSmall_StopsAfterTheLastWholeCharacter()
    {
        Microsoft.ML.Tokenizers.Tokenizer tokenizer = TinyByteLevel([]);
        int[] ids = ['a', 0xF0, 0x9F, 0x98, 0x80, 'b']; // a😀b
        var destination = new char[3];

        var small = tokenizer.Decode(ids, destination.AsSpan(0, 2), out int idsConsumed, out int charsWritten);
        Assert.Equal((System.Buffers.OperationStatus.DestinationTooSmall, 1, 1), (small, idsConsumed, charsWritten));
        Assert.Equal('a', destination[0]);

        var exact = tokenizer.Decode(ids, destination, out idsConsumed, out charsWritten);
        Assert.Equal((System.Buffers.OperationStatus.DestinationTooSmall, 5, 3), (exact, idsConsumed, charsWritten));
        Assert.Equal("a😀", new string(destination));

        exact = tokenizer.Decode(ids[..5], destination, out idsConsumed, out charsWritten);
        Assert.Equal((System.Buffers.OperationStatus.Done, 5, 3), (exact, idsConsumed, charsWritten));
        Assert.Equal("a😀", new string(destination));
    }

    [Fact]
    public void Decode_UnknownIdIntoSpan_ReportsInvalidDataAfterTheIdsBefore()
    {
        Microsoft.ML.Tokenizers.Tokenizer tokenizer = TinyByteLevel([]);
        var destination = new char[10];

        var status = tokenizer.Decode(new List<int> { 'o', 'k', 999, 'x' }, destination, out int idsConsumed, out int charsWritten);

        Assert.Equal((System.Buffers.OperationStatus.InvalidData, 2, 2), (status, idsConsumed, charsWritten));
        Assert.Equal("ok", new string(destination, 0, charsWritten));
    }

    [Fact]
    public void Decode_LazySequenceThroughLibraryType_DecodesLikeAnArray()
    {
        var tokenizer = TinyByteLevel([], added: [new AddedToken(300, "<|eos|>", true)]);
        Microsoft.ML.Tokenizers.Tokenizer library = tokenizer;
        int[] ids = tokenizer.Encode("naïve 😀<|eos|>");

        Assert.Equal("naïve 😀<|eos|>", library.Decode(ids.Select(id => id)));
        Assert.Equal("naïve 😀", tokenizer.Decode(ids, skipSpecialTokens: true));
    }

    [Fact]
    public void Decode_UnknownId_Throws()
    {
        var error = Assert.Throws<InvalidOperationException>(() => TinyByteLevel([]).Decode([65, 999]));
        Assert.Contains("999", error.Message);
    }

    [Fact]
    public void TokenToId_KnownAndUnknownTokens_ReturnIdOrNull()
    {
        var tokenizer = TinyByteLevel([("Ġ", "t")]);

        Assert.Equal(256, tokenizer.TokenToId("Ġt"));
        Assert.Null(tokenizer.TokenToId("nope"));
        Assert.Null(tokenizer.IdToToken(-1));
    }

    [Fact]
    public void Load_MergesAsPairsAndNfcNormalizer_EncodesLikeStringMerges()
    {
        using var temporary = new TemporaryDirectory("bpe-json-");
        string dir = temporary.Path;
        var vocab = new JsonObject();
        for (int b = 0; b < 256; b++)
        {
            vocab[ByteLevelAlphabet.ByteToChar((byte)b).ToString()] = b;
        }
        vocab["Ã©"] = 256; // "é" in UTF-8 (C3 A9), byte-level spelled
        var json = new JsonObject
        {
            ["added_tokens"] = new JsonArray(),
            ["normalizer"] = new JsonObject { ["type"] = "NFC" },
            ["pre_tokenizer"] = BpeTokenizer.ByteLevelSection(false, true),
            ["decoder"] = BpeTokenizer.ByteLevelSection(false, true),
            ["model"] = new JsonObject { ["type"] = "BPE", ["vocab"] = vocab, ["merges"] = new JsonArray(new JsonArray("Ã", "©")) },
        };
        string path = Path.Combine(dir, "tokenizer.json");
        File.WriteAllText(path, json.ToJsonString());

        var tokenizer = BpeTokenizer.Load(path);

        Assert.Equal([256], tokenizer.Encode("e\u0301"));
        Assert.Equal("é", tokenizer.Decode([256]));
    }

    [Fact]
    public void Save_ThenLoad_KeepsVocabularyMergesAndBehaviour()
    {
        var tokenizer = TinyByteLevel([("h", "e"), ("l", "l"), ("he", "ll")],
            added: [new AddedToken(400, "<|pad|>", true), new AddedToken(401, "<tool>", false)]);
        using var temporary = new TemporaryDirectory("bpe-save-");
        string path = Path.Combine(temporary.Path, "tokenizer.json");
        tokenizer.Save(path);
        var loaded = BpeTokenizer.Load(path);

        string text = "hello <tool> world<|pad|>";
        Assert.Equal(tokenizer.Encode(text), loaded.Encode(text));
        Assert.Equal(400, loaded.PadId);
        Assert.Equal(tokenizer.VocabularySize, loaded.VocabularySize);
        Assert.Equal(["<|pad|>"], loaded.SpecialTokens);
        Assert.Equal(text, loaded.Decode(loaded.Encode(text)));
    }

    [Fact]
    public void Load_TokenizerConfigBeside_OverridesConventionalRoles()
    {
        var tokenizer = TinyByteLevel([], added: [new AddedToken(300, "<|endoftext|>", true), new AddedToken(301, "<|im_end|>", true)]);
        using var temporary = new TemporaryDirectory("bpe-config-");
        string dir = temporary.Path;
        tokenizer.Save(Path.Combine(dir, "tokenizer.json"));
        Assert.Equal(300, BpeTokenizer.Load(Path.Combine(dir, "tokenizer.json")).EosId);

        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"),
            """{"eos_token": "<|im_end|>", "pad_token": {"content": "<|endoftext|>"}}""");
        var configured = BpeTokenizer.Load(Path.Combine(dir, "tokenizer.json"));

        Assert.Equal(301, configured.EosId);
        Assert.Equal(300, configured.PadId);
    }
}
