// A range of response tokens, e.g. the ones that spell the final answer.
namespace Pipeline.Contracts;

/// <summary>Tokens [Start, Start + Length) of a response.</summary>
/// <param name="Start">First token.</param>
/// <param name="Length">Number of tokens.</param>
public sealed record TokenSpan(int Start, int Length);
