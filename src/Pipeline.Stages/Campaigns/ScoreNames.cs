// The names under which stages put scores into Rollout.Scores, shared by the stages that write and the ones that read.
namespace Pipeline.Stages.Campaigns;

/// <summary>Keys of <see cref="Contracts.Rollout.Scores"/>.</summary>
public static class ScoreNames
{
    /// <summary>INTUITOR's self-certainty of the response under the iteration's starting policy (teacher-forced).</summary>
    public const string SelfCertainty = "self_certainty";

    /// <summary>RLSF's answer-span confidence (0 without an answer).</summary>
    public const string AnswerConfidence = "answer_confidence";

    /// <summary>
    /// The policy's verdict on the rollout: p("correct") of the one-token verdict (<c>judging.method</c> probability, the
    /// default), or the share of sampled verdicts saying "correct" (absent when every verdict was unreadable).
    /// </summary>
    public const string Judge = "judge";

    /// <summary>Judge outputs of this rollout that could not be read.</summary>
    public const string JudgeParseFailures = "judge_parse_failures";

    /// <summary>1 when the extracted answer equals the gold answer, else 0 (grpo-gold only).</summary>
    public const string Verifier = "verifier";

    /// <summary>Share of the prompt's samples whose answer equals this rollout's answer (0 without an answer).</summary>
    public const string Votes = "votes";

    /// <summary>
    /// 1 when this rollout's answer is the prompt's pseudo-label (the majority answer, or the self-certainty Borda winner
    /// under <c>scoring.pseudoLabel</c>), else 0: TTRL's reward and self-training's filter.
    /// </summary>
    public const string Majority = "majority";

    /// <summary>−self-certainty (the grpo-negsc control; its update re-scores online like INTUITOR, negated).</summary>
    public const string NegativeSelfCertainty = "negative_self_certainty";

    /// <summary>A Bernoulli(½) draw per rollout (the grpo-random control).</summary>
    public const string Bernoulli = "bernoulli";
}
