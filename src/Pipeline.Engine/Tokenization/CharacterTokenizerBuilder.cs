// Character vocabularies for synthetic tasks: one token per character of a fixed alphabet, plus special tokens.
using System.Text;
using System.Text.Json.Nodes;

namespace Pipeline.Engine.Tokenization;

/// <summary>
/// Builds a tokenizer with one token per character of an alphabet. It is an HF BPE model without merges (and without
/// pre-tokenizer, so spaces are ordinary characters) and a Fuse decoder, so HF tools load its tokenizer.json as is.
/// </summary>
public static class CharacterTokenizerBuilder
{
    /// <summary>The special tokens synthetic tasks use unless told otherwise.</summary>
    public static IReadOnlyList<string> DefaultSpecialTokens { get; } = ["<|pad|>", "<|bos|>", "<|eos|>"];

    /// <summary>
    /// Special tokens take ids 0.. in the order given, then each distinct character (Unicode scalar) of
    /// <paramref name="alphabet"/> in order of first appearance. Encoding a character outside the alphabet throws.
    /// </summary>
    public static BpeTokenizer Build(string alphabet, IEnumerable<string>? specialTokens = null)
    {
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        var added = new List<AddedToken>();
        foreach (string special in specialTokens ?? DefaultSpecialTokens)
        {
            if (vocab.TryAdd(special, vocab.Count))
            {
                added.Add(new AddedToken(vocab[special], special, Special: true));
            }
        }
        foreach (var rune in alphabet.EnumerateRunes())
        {
            vocab.TryAdd(rune.ToString(), vocab.Count);
        }
        if (vocab.Count == added.Count)
        {
            throw new ArgumentException("The alphabet is empty.", nameof(alphabet));
        }
        return new BpeTokenizer(new TokenizerDefinition(vocab, [], null, false, added, null, null, null,
            new JsonObject { ["type"] = "Fuse" }));
    }
}
