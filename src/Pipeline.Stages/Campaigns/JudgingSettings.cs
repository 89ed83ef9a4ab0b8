// Settings of the judging stage (the policy as its own verdict judge; the verifier needs none).
namespace Pipeline.Stages.Campaigns;

/// <summary>The <c>judging</c> section of a campaign file.</summary>
public sealed record JudgingSettings
{
    /// <summary>Verdicts sampled per rollout, J (default 4); the score is the share of "correct" among readable ones.</summary>
    public int Samples { get; init; } = 4;

    /// <summary>Sampling temperature of the verdicts (default 1).</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>New-token limit of one verdict (default 12).</summary>
    public int MaxNewTokens { get; init; } = 12;
}
