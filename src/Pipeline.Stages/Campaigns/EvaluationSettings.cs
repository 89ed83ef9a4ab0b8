// Settings of the held-out evaluation run after each iteration (and on the base model).
namespace Pipeline.Stages.Campaigns;

/// <summary>The <c>evaluation</c> section of a campaign file.</summary>
public sealed record EvaluationSettings
{
    /// <summary>Problems per held-out difficulty, a prefix of the task's evaluation set (default 100, at most the set's size, 1,000 for arith).</summary>
    public int ProblemsPerDifficulty { get; init; } = 100;

    /// <summary>k of maj@k (default 4).</summary>
    public int Samples { get; init; } = 4;

    /// <summary>Sampling temperature of the maj@k samples (default 0.8).</summary>
    public double Temperature { get; init; } = 0.8;

    /// <summary>
    /// Also evaluate a greedy second attempt on the correction prompt after each greedy first attempt: Acc@t1, Acc@t2,
    /// Δ, Δ(i→c), Δ(c→i) (default false; the self-correction recipes set it).
    /// </summary>
    public bool SecondAttempt { get; init; }

    /// <summary>
    /// Also let the policy judge its own maj@k samples and report its accuracy and within-prompt AUROC against the verifier
    /// (default false; the self-judging recipes set it). TPO's judge sees only the final answers.
    /// </summary>
    public bool JudgeSamples { get; init; }

    /// <summary>Difficulty labels to evaluate (default null: every held-out difficulty of the task).</summary>
    public IReadOnlyList<string>? Difficulties { get; init; }
}
