// The one tokenizer abstraction of the project: Microsoft.ML.Tokenizers' Tokenizer, plus what a model needs of it.
using Microsoft.ML.Tokenizers;

namespace Pipeline.Engine.Tokenization;

/// <summary>
/// A model's tokenizer. It is a <see cref="Tokenizer"/>, so code written against Microsoft.ML.Tokenizers encodes,
/// counts and decodes with it (<see cref="Tokenizer.EncodeToIds(string, bool, bool)"/>,
/// <see cref="Tokenizer.EncodeToTokens(string, out string?, bool, bool)"/>, <see cref="Tokenizer.CountTokens(string, bool, bool)"/>,
/// <see cref="Tokenizer.GetIndexByTokenCount(string, int, out string?, out int, bool, bool)"/>,
/// <see cref="Tokenizer.Decode(IEnumerable{int})"/>). It adds what the engine needs: the embedding size, the BOS/EOS/PAD
/// roles, the token-id mapping, ids as an array, decoding without special tokens, and the file it is stored in beside
/// a model.
/// </summary>
/// <remarks>
/// Encoding never adds BOS/EOS; special and other added tokens written literally in the text produce their own ids.
/// Token offsets always index the text as given, also where the normalizer changed it.
/// </remarks>
public abstract class ModelTokenizer : Tokenizer
{
    /// <summary>Initializes the base class.</summary>
    protected ModelTokenizer()
    {
    }

    /// <summary>Number of ids the model's embedding must hold: the largest id in use plus one.</summary>
    public abstract int VocabularySize { get; }

    /// <summary>Id of the beginning-of-sequence token, when the vocabulary has one.</summary>
    public abstract int? BosId { get; }

    /// <summary>Id of the end-of-sequence token, when the vocabulary has one.</summary>
    public abstract int? EosId { get; }

    /// <summary>Id of the padding token, when the vocabulary has one.</summary>
    public abstract int? PadId { get; }

    /// <summary>
    /// The ids <see cref="Tokenizer.EncodeToIds(string, bool, bool)"/> gives for <paramref name="text"/>, as the array
    /// the model's inputs are made of.
    /// </summary>
    public abstract int[] Encode(string text);

    /// <summary>
    /// Decodes ids back into text; added tokens are written as their content, special ones left out when
    /// <paramref name="skipSpecialTokens"/>. Without skipping it is <see cref="Tokenizer.Decode(IEnumerable{int})"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">An id is not in the vocabulary.</exception>
    public abstract string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens = false);

    /// <summary>The id of a token given in the vocabulary's own spelling, or null when it is not in the vocabulary.</summary>
    public abstract int? TokenToId(string token);

    /// <summary>The vocabulary's spelling of an id, or null when the id is unused.</summary>
    public abstract string? IdToToken(int id);

    /// <summary>Writes the tokenizer as the HF tokenizer.json stored beside a model, which HF tools load as well.</summary>
    public abstract void Save(string path);
}
