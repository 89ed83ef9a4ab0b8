// How per-token losses are averaged into one number; libraries differ here, so the choice is explicit.
namespace Pipeline.Learning.Objectives;

/// <summary>How per-token losses of a batch of sequences become one loss.</summary>
public enum TokenAveraging
{
    /// <summary>Mean over each sequence's tokens, then mean over sequences: every sequence weighs the same.</summary>
    SequenceMean,

    /// <summary>Sum over all tokens of the batch divided by their count: every token weighs the same.</summary>
    TokenMean,
}
