// Settings of the judging stage (the policy as its own verdict judge; the verifier needs none).
namespace Pipeline.Stages.Campaigns;

/// <summary>The <c>judging</c> section of a campaign file.</summary>
public sealed record JudgingSettings
{
    /// <summary>
    /// How a rollout is judged: <c>probability</c> (default), the exact p("correct") of the one-token verdict, which is the
    /// expectation of the sampled share; or <c>sampled</c>, J verdicts sampled and parsed (for free-text judges).
    /// </summary>
    public JudgeMethod Method { get; init; } = JudgeMethod.Probability;

    /// <summary>Verdict prompts per teacher-forced pass of the probability method (default 64).</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Sampled method: verdicts sampled per rollout, J (default 4); the score is the share of "correct" among readable ones.</summary>
    public int Samples { get; init; } = 4;

    /// <summary>Sampling temperature of the verdicts (default 1).</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>New-token limit of one verdict (default 12).</summary>
    public int MaxNewTokens { get; init; } = 12;
}

/// <summary>How the judging stage scores a rollout.</summary>
public enum JudgeMethod
{
    /// <summary>p("correct") of the one-token verdict, normalised over the two verdicts.</summary>
    Probability,

    /// <summary>The share of "correct" among sampled, parsed verdicts.</summary>
    Sampled,
}
