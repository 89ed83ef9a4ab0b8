// Small hand-built byte-level tokenizers for tests: the 256 byte tokens (ids 0-255 in byte order), then merged tokens.
using System.Text.Json.Nodes;

namespace Pipeline.Engine.Tests.Tokenization;

internal static class TinyTokenizers
{
    /// <summary>
    /// A GPT-2 layout tokenizer over <paramref name="merges"/> (spelled in the byte alphabet, "Ġ" for a space), with an
    /// optional normalizer section type ("NFC", "NFD") and ByteLevel's add_prefix_space.
    /// </summary>
    public static BpeTokenizer ByteLevel(IReadOnlyList<(string, string)> merges, bool ignoreMerges = false,
        IReadOnlyList<AddedToken>? added = null, string? normalizer = null, bool addPrefixSpace = false)
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
        var byteLevel = BpeTokenizer.ByteLevelSection(addPrefixSpace, useRegex: true);
        return new BpeTokenizer(new TokenizerDefinition(vocab, merges, null, ignoreMerges, added ?? [],
            normalizer is null ? null : new JsonObject { ["type"] = normalizer }, byteLevel, byteLevel.DeepClone(), byteLevel.DeepClone()));
    }
}
