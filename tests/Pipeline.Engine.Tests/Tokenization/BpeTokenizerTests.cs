// BpeTokenizer on hand-built vocabularies: merge order, added tokens, decoding, tokenizer.json round trips.
using System.Text.Json.Nodes;

namespace Pipeline.Engine.Tests.Tokenization;

public class BpeTokenizerTests
{
    // Byte-level vocabulary: the 256 byte tokens (ids 0-255 in byte order), then merged tokens.
    private static BpeTokenizer TinyByteLevel(IReadOnlyList<(string, string)> merges, bool ignoreMerges = false,
        IReadOnlyList<AddedToken>? added = null)
    {
        var vocab = Enumerable.Range(0, 256).ToDictionary(b => ByteLevelAlphabet.ByteToChar((byte)b).ToString(), b => b);
        foreach (var (left, right) in merges)
        {
            vocab.TryAdd(left + right, vocab.Count);
        }
        foreach (var token in added ?? [])
        {
            vocab.TryAdd(token.Content, token.Id);
        }
        var byteLevel = BpeTokenizer.ByteLevelSection(addPrefixSpace: false, useRegex: true);
        return new BpeTokenizer(new TokenizerDefinition(vocab, merges, null, ignoreMerges, added ?? [], null, byteLevel,
            null, byteLevel.DeepClone()));
    }

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
    public void Decode_UnknownId_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TinyByteLevel([]).Decode([999]));
    }

    [Fact]
    public void TokenToId_KnownAndUnknown()
    {
        var tokenizer = TinyByteLevel([("Ġ", "t")]);

        Assert.Equal(256, tokenizer.TokenToId("Ġt"));
        Assert.Null(tokenizer.TokenToId("nope"));
        Assert.Null(tokenizer.IdToToken(-1));
    }

    [Fact]
    public void Load_MergesAsPairsAndNfcNormalizer_EncodesLikeStringMerges()
    {
        string dir = Directory.CreateTempSubdirectory("bpe-json-").FullName;
        try
        {
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
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Save_ThenLoad_KeepsVocabularyMergesAndBehaviour()
    {
        var tokenizer = TinyByteLevel([("h", "e"), ("l", "l"), ("he", "ll")],
            added: [new AddedToken(400, "<|pad|>", true), new AddedToken(401, "<tool>", false)]);
        string path = Path.Combine(Directory.CreateTempSubdirectory("bpe-save-").FullName, "tokenizer.json");
        try
        {
            tokenizer.Save(path);
            var loaded = BpeTokenizer.Load(path);

            string text = "hello <tool> world<|pad|>";
            Assert.Equal(tokenizer.Encode(text), loaded.Encode(text));
            Assert.Equal(400, loaded.PadId);
            Assert.Equal(tokenizer.VocabularySize, loaded.VocabularySize);
            Assert.Equal(["<|pad|>"], loaded.SpecialTokens);
            Assert.Equal(text, loaded.Decode(loaded.Encode(text)));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public void Load_TokenizerConfigBeside_OverridesConventionalRoles()
    {
        var tokenizer = TinyByteLevel([], added: [new AddedToken(300, "<|endoftext|>", true), new AddedToken(301, "<|im_end|>", true)]);
        string dir = Directory.CreateTempSubdirectory("bpe-config-").FullName;
        try
        {
            tokenizer.Save(Path.Combine(dir, "tokenizer.json"));
            Assert.Equal(300, BpeTokenizer.Load(Path.Combine(dir, "tokenizer.json")).EosId);

            File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"),
                """{"eos_token": "<|im_end|>", "pad_token": {"content": "<|endoftext|>"}}""");
            var configured = BpeTokenizer.Load(Path.Combine(dir, "tokenizer.json"));

            Assert.Equal(301, configured.EosId);
            Assert.Equal(300, configured.PadId);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
