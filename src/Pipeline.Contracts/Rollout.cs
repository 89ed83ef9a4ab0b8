// One sampled response and everything the stages learn about it; the unit the queues between stages carry. The tokens
// the policy drew travel with the text, so no stage ever re-encodes text into tokens the policy did not sample.
namespace Pipeline.Contracts;

/// <summary>A sampled response to a campaign prompt, with the scores the stages attached so far.</summary>
/// <param name="PromptId">Id of the prompt.</param>
/// <param name="Prompt">The prompt text.</param>
/// <param name="Sample">Index of this sample among the prompt's samples, from 0.</param>
/// <param name="Response">The response text, for people: the decoded tokens without the stop token.</param>
/// <param name="Tokens">The token ids and per-token statistics exactly as the sampler produced them.</param>
/// <param name="Answer">The extracted final answer, null when the response has none.</param>
/// <param name="AnswerSpan">The response tokens covering the final answer, null when there is none.</param>
/// <param name="Scores">Scores by name (<c>self_certainty</c>, <c>answer_confidence</c>, <c>judge</c>, <c>verifier</c>, <c>votes</c> ...).</param>
/// <param name="GoldAnswer">The gold answer, only for recipes with a verifier reward; null otherwise.</param>
/// <param name="Attempt">
/// 1 for a response to the prompt; 2 for a self-correction recipe's second attempt, whose <see cref="Prompt"/> is the
/// correction prompt around the first attempt with the same prompt id and sample index.
/// </param>
/// <param name="MetaJudgement">Meta-Rewarding only: the meta-judged pair of this response's disagreeing judgements, else null.</param>
public sealed record Rollout(
    string PromptId,
    string Prompt,
    int Sample,
    string Response,
    SampledTokens Tokens,
    string? Answer,
    TokenSpan? AnswerSpan,
    IReadOnlyDictionary<string, double> Scores,
    string? GoldAnswer = null,
    int Attempt = 1,
    MetaJudgement? MetaJudgement = null);
