// The names under which stages put scores into Rollout.Scores, shared by the stages that write and the ones that read.
namespace Pipeline.Stages.Campaigns;

/// <summary>Keys of <see cref="Contracts.Rollout.Scores"/>.</summary>
public static class ScoreNames
{
    /// <summary>INTUITOR's self-certainty of the response under the iteration's starting policy (teacher-forced).</summary>
    public const string SelfCertainty = "self_certainty";

    /// <summary>RLSF's answer-span confidence (0 without an answer).</summary>
    public const string AnswerConfidence = "answer_confidence";

    /// <summary>Share of the policy's verdict samples saying "correct" (absent when every verdict was unreadable).</summary>
    public const string Judge = "judge";

    /// <summary>Judge outputs of this rollout that could not be read.</summary>
    public const string JudgeParseFailures = "judge_parse_failures";

    /// <summary>1 when the extracted answer equals the gold answer, else 0 (grpo-gold only).</summary>
    public const string Verifier = "verifier";

    /// <summary>Share of the prompt's samples whose answer equals this rollout's answer (0 without an answer).</summary>
    public const string Votes = "votes";

    /// <summary>1 when this rollout's answer is the prompt's majority answer, else 0.</summary>
    public const string Majority = "majority";
}
