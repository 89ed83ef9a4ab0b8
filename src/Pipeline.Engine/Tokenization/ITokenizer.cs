// The contract the rest of the engine uses to turn text into token ids and back, whatever the vocabulary's origin.
namespace Pipeline.Engine.Tokenization;

/// <summary>Turns text into token ids and ids back into text.</summary>
public interface ITokenizer
{
    /// <summary>Number of ids the model's embedding must hold: the largest id in use plus one.</summary>
    int VocabularySize { get; }

    /// <summary>Id of the beginning-of-sequence token, when the vocabulary has one.</summary>
    int? BosId { get; }

    /// <summary>Id of the end-of-sequence token, when the vocabulary has one.</summary>
    int? EosId { get; }

    /// <summary>Id of the padding token, when the vocabulary has one.</summary>
    int? PadId { get; }

    /// <summary>
    /// Encodes <paramref name="text"/> without adding BOS/EOS. Special and other added tokens written literally in the
    /// text are recognised and produce their own ids.
    /// </summary>
    int[] Encode(string text);

    /// <summary>Decodes ids back into text; added tokens are written as their content unless <paramref name="skipSpecialTokens"/>.</summary>
    string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens = false);

    /// <summary>The id of a token given in the vocabulary's own spelling, or null when it is not in the vocabulary.</summary>
    int? TokenToId(string token);

    /// <summary>The vocabulary's spelling of an id, or null when the id is unused.</summary>
    string? IdToToken(int id);
}
