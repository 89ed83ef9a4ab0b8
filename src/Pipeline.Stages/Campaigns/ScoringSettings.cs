// Settings of the scoring stage (self-certainty, answer-span confidence, votes).
using Pipeline.Learning.Signals;

namespace Pipeline.Stages.Campaigns;

/// <summary>The <c>scoring</c> section of a campaign file.</summary>
public sealed record ScoringSettings
{
    /// <summary>RLSF's per-token confidence over the answer span (<c>chosen-token-prob</c>, default, or <c>top-two-margin</c>).</summary>
    public AnswerConfidence Confidence { get; init; } = AnswerConfidence.ChosenTokenProb;

    /// <summary>
    /// The pseudo-label of a prompt's samples that the <c>votes</c> and <c>majority</c> scores follow (self-training's
    /// filter and grpo-majority's reward): <c>majority</c> (default) or <c>self-certainty-borda</c> (arXiv 2502.18581).
    /// </summary>
    public PseudoLabelRule PseudoLabel { get; init; } = PseudoLabelRule.Majority;

    /// <summary>The Borda power p of <c>self-certainty-borda</c> (default 0.3, the paper's choice for N ≤ 16).</summary>
    public double BordaPower { get; init; } = AnswerVoting.BordaLowPower;

    /// <summary>Sequences per teacher-forced scoring pass (default 16).</summary>
    public int BatchSize { get; init; } = 16;
}
