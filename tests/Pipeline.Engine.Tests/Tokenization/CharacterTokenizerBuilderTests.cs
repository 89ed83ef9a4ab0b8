// Character vocabularies for synthetic tasks.
using Pipeline.Testing;

namespace Pipeline.Engine.Tests.Tokenization;

public class CharacterTokenizerBuilderTests
{
    [Fact]
    public void Build_Alphabet_OneIdPerCharacterAfterSpecials()
    {
        var tokenizer = CharacterTokenizerBuilder.Build("0123456789+= ");

        Assert.Equal(16, tokenizer.VocabularySize);
        Assert.Equal(0, tokenizer.PadId);
        Assert.Equal(1, tokenizer.BosId);
        Assert.Equal(2, tokenizer.EosId);
        Assert.False(tokenizer.IsByteLevel);
        Assert.Equal([1, 4, 13, 5, 14, 15, 6, 2], tokenizer.Encode("<|bos|>1+2= 3<|eos|>"));
        Assert.Equal("1+2= 3", tokenizer.Decode(tokenizer.Encode("<|bos|>1+2= 3<|eos|>"), skipSpecialTokens: true));
    }

    [Fact]
    public void Build_NonAsciiAndAstralCharacters_AreSingleTokens()
    {
        var tokenizer = CharacterTokenizerBuilder.Build("aé😀", ["<|eos|>"]);

        Assert.Equal([1, 2, 3, 0], tokenizer.Encode("aé😀<|eos|>"));
        Assert.Equal("aé😀", tokenizer.Decode([1, 2, 3]));
    }

    [Fact]
    public void Encode_CharacterOutsideAlphabet_Throws()
    {
        var tokenizer = CharacterTokenizerBuilder.Build("ab");

        var error = Assert.Throws<ArgumentException>(() => tokenizer.Encode("abc"));
        Assert.Contains("U+0063", error.Message);
    }

    [Fact]
    public void Save_ThenLoad_RoundTrips()
    {
        var tokenizer = CharacterTokenizerBuilder.Build("xyz ");
        using var temporary = new TemporaryDirectory("char-tokenizer-");
        string dir = temporary.Path;
        string path = Path.Combine(dir, "tokenizer.json");
        tokenizer.Save(path);
        var loaded = BpeTokenizer.Load(path);

        Assert.Equal(tokenizer.Encode("<|bos|>xy z<|eos|>"), loaded.Encode("<|bos|>xy z<|eos|>"));
        Assert.Equal("xy z", loaded.Decode(loaded.Encode("xy z")));
        Assert.Equal(tokenizer.VocabularySize, loaded.VocabularySize);
    }
}
