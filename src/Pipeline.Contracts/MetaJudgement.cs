// Meta-Rewarding's record of one response whose sampled judgements disagreed: the verdict prompt, both judgements as the
// judge would write them (tokens and the judging policy's log-probs, DPO's reference), and the meta-judge's preference
// for the "correct" judgement in both orders. The pair stage decides from these whether it becomes a judgement pair.
namespace Pipeline.Contracts;

/// <summary>Two different judgements of one response and the meta-judge's two-order comparison of them.</summary>
/// <param name="Prompt">The verdict prompt (problem, response, verdict cue).</param>
/// <param name="PromptTokens">Its tokens as the judge read them (BOS first).</param>
/// <param name="Correct">The judgement "correct": its tokens (end of sequence included) and per-token log-probs.</param>
/// <param name="Incorrect">The judgement "incorrect".</param>
/// <param name="CorrectShownFirst">p(the "correct" judgement is better) when it was shown as A.</param>
/// <param name="CorrectShownSecond">p(the "correct" judgement is better) when it was shown as B.</param>
public sealed record MetaJudgement(string Prompt, int[] PromptTokens, PairResponse Correct, PairResponse Incorrect, double CorrectShownFirst,
    double CorrectShownSecond);
