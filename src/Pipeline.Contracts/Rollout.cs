// One sampled response and everything the stages learn about it; the unit the queues between stages carry.
namespace Pipeline.Contracts;

/// <summary>A sampled response to a campaign prompt, with the scores the stages attached so far.</summary>
/// <param name="PromptId">Id of the prompt.</param>
/// <param name="Prompt">The prompt text.</param>
/// <param name="Sample">Index of this sample among the prompt's samples, from 0.</param>
/// <param name="Response">The response text (through the end-of-sequence, which is not included).</param>
/// <param name="TokenCount">Response tokens, the end-of-sequence token included when one was produced.</param>
/// <param name="Statistics">Per-token statistics summary from the sampling pass.</param>
/// <param name="Answer">The extracted final answer, null when the response has none.</param>
/// <param name="Scores">Scores by name (<c>self_certainty</c>, <c>answer_confidence</c>, <c>judge</c>, <c>verifier</c>, <c>votes</c> ...).</param>
/// <param name="GoldAnswer">The gold answer, only for recipes with a verifier reward; null otherwise.</param>
public sealed record Rollout(
    string PromptId,
    string Prompt,
    int Sample,
    string Response,
    int TokenCount,
    TokenSummary Statistics,
    string? Answer,
    IReadOnlyDictionary<string, double> Scores,
    string? GoldAnswer = null);
