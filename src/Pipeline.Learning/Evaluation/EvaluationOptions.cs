// Settings of a task evaluation: k and temperature of maj@k, length limit, seed and batch size.
namespace Pipeline.Learning.Evaluation;

/// <summary>What the model as judge sees of its own samples in an evaluation.</summary>
public enum SampleJudging
{
    /// <summary>The samples are not judged.</summary>
    None,

    /// <summary>The whole response.</summary>
    Response,

    /// <summary>Only the final answer (TPO's judge).</summary>
    AnswerOnly,
}

/// <summary>How <see cref="TaskEvaluator"/> generates.</summary>
public sealed record EvaluationOptions
{
    /// <summary>k of maj@k: samples per problem.</summary>
    public int Samples { get; init; } = 8;

    /// <summary>Sampling temperature of the maj@k samples.</summary>
    public float Temperature { get; init; } = 0.8f;

    /// <summary>New-token limit; null: twice the longest gold response of the set plus 8.</summary>
    public int? MaxNewTokens { get; init; }

    /// <summary>
    /// Also write a greedy second attempt after each greedy first attempt, on the correction prompt around it, and report
    /// Acc@t1, Acc@t2 and the changes (<see cref="DifficultyReport.SelfCorrection"/>).
    /// </summary>
    public bool SecondAttempt { get; init; }

    /// <summary>
    /// Whether the model also judges its own k samples per problem, and what it sees of each (<see cref="DifficultyReport.SampleJudge"/>).
    /// </summary>
    public SampleJudging JudgeSamples { get; init; }

    /// <summary>Seed of the sampling streams.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Sequences per generation batch and per teacher-forced judge batch.</summary>
    public int BatchSize { get; init; } = 64;
}
