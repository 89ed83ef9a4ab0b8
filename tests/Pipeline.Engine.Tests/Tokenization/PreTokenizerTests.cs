// Pre-tokenizer splits: GPT-2 and Llama-3 patterns, Split behaviors, astral characters.
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Pipeline.Engine.Tests.Tokenization;

public class PreTokenizerTests
{
    private const string Llama3Pattern =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    [Fact]
    public void Split_Gpt2ByteLevel_SeparatesContractionsNumbersAndSpaceRuns()
    {
        var pieces = Split(new ByteLevelStep(addPrefixSpace: false, useRegex: true), "I'LL don't  say 12345!!\n\n  x");

        Assert.Equal(["I", "'", "LL", " don", "'t", " ", " say", " 12345", "!!", "\n\n ", " x"], pieces);
    }

    [Fact]
    public void Split_ByteLevelWithPrefixSpace_PrependsSpace()
    {
        Assert.Equal([" hello"], Split(new ByteLevelStep(addPrefixSpace: true, useRegex: true), "hello"));
    }

    [Fact]
    public void Split_ByteLevelPrefixSpaceMatchedAlone_IsAWordOfNoInputCharacters()
    {
        // " \tx": the added space is matched on its own, before the tab, so that word covers nothing of the input.
        var words = new List<Word>();
        new ByteLevelStep(addPrefixSpace: true, useRegex: true).Split("\tx", new Word(0, 2, false), words);

        Assert.Equal([new Word(0, 0, true), new Word(0, 1, false), new Word(1, 1, false)], words);
    }

    [Fact]
    public void Split_PieceInsideText_WordsAreRangesOfTheWholeText()
    {
        var words = new List<Word>();
        new ByteLevelStep(addPrefixSpace: true, useRegex: true).Split("ab cd ef", new Word(3, 5, false), words);

        Assert.Equal([new Word(3, 2, true), new Word(5, 3, false)], words);
    }

    [Fact]
    public void Split_Llama3Pattern_CaseInsensitiveContractionsAndDigitTriples()
    {
        var pieces = Split(new RegexSplitStep(Llama3Pattern, SplitBehavior.Isolated, invert: false), "I'LL pay 1234567 now");

        Assert.Equal(["I", "'LL", " pay", " ", "123", "456", "7", " now"], pieces);
    }

    [Fact]
    public void Split_AstralLettersAndDigits_TreatedAsWholeCodePoints()
    {
        // U+1D400.. are letters and U+1D7CF.. digits outside the BMP: .NET's regex alone would see surrogates.
        var step = new RegexSplitStep(Llama3Pattern, SplitBehavior.Isolated, invert: false);

        Assert.Equal([" 𝐀𝐁𝐂", " ", "𝟏𝟐𝟑", "𝟒", "!"], Split(step, " 𝐀𝐁𝐂 𝟏𝟐𝟑𝟒!"));
        Assert.Equal(["a", "😀😀", " b"], Split(step, "a😀😀 b"));
    }

    [Fact]
    public void Split_BmpTextWithoutSurrogates_SameAsPlainRegex()
    {
        var regex = new Regex(Llama3Pattern);
        var step = new RegexSplitStep(Llama3Pattern, SplitBehavior.Isolated, invert: false);
        foreach (string line in ParityCorpus.Lines(seed: 5, count: 300).Where(l => !l.Any(char.IsSurrogate)))
        {
            Assert.Equal(regex.Matches(line).Select(m => m.Value), Split(step, line));
        }
    }

    [Theory]
    // The examples of HF's SplitDelimiterBehavior documentation, with "-" as the delimiter.
    [InlineData("Removed", false, new[] { "the", "final", "countdown" })]
    [InlineData("Isolated", false, new[] { "the", "-", "final", "-", "-", "countdown" })]
    [InlineData("MergedWithPrevious", false, new[] { "the-", "final-", "-", "countdown" })]
    [InlineData("MergedWithNext", false, new[] { "the", "-final", "-", "-countdown" })]
    [InlineData("Contiguous", false, new[] { "the", "-", "final", "--", "countdown" })]
    [InlineData("Removed", true, new[] { "-", "-", "-" })]
    public void Split_Behaviors_FollowHfSemantics(string behavior, bool invert, string[] expected)
    {
        var step = new RegexSplitStep("-", Enum.Parse<SplitBehavior>(behavior), invert);

        Assert.Equal(expected, Split(step, "the-final--countdown"));
    }

    [Fact]
    public void ParsePreTokenizer_SequenceOfSplitAndByteLevel_IsByteLevelAndSplits()
    {
        var node = JsonNode.Parse("""
            {"type":"Sequence","pretokenizers":[
              {"type":"Split","pattern":{"String":" "},"behavior":"MergedWithNext","invert":false},
              {"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":false}]}
            """);
        var preTokenizer = TokenizerJson.ParsePreTokenizer(node);
        var words = new List<Word>();

        preTokenizer.Split("a b  c", words);

        Assert.True(preTokenizer.IsByteLevel);
        Assert.Equal(["a", " b", " ", " c"], words.Select(w => w.ToString("a b  c")));
    }

    [Fact]
    public void PreTokenizer_StepAfterByteLevel_IsRejected()
    {
        Assert.Throws<NotSupportedException>(() => new PreTokenizer(
            [new ByteLevelStep(false, true), new RegexSplitStep("x", SplitBehavior.Isolated, false)]));
    }

    private static List<string> Split(PreTokenizerStep step, string text)
    {
        var words = new List<Word>();
        step.Split(text, new Word(0, text.Length, false), words);
        return words.Select(w => w.ToString(text)).ToList();
    }
}
