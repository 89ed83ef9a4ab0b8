// Settings of the scoring stage (self-certainty, answer-span confidence, votes).
using Pipeline.Learning.Signals;

namespace Pipeline.Stages.Campaigns;

/// <summary>The <c>scoring</c> section of a campaign file.</summary>
public sealed record ScoringSettings
{
    /// <summary>RLSF's per-token confidence over the answer span (<c>chosen-token-prob</c>, default, or <c>top-two-margin</c>).</summary>
    public AnswerConfidence Confidence { get; init; } = AnswerConfidence.ChosenTokenProb;

    /// <summary>Sequences per teacher-forced scoring pass (default 16).</summary>
    public int BatchSize { get; init; } = 16;
}
