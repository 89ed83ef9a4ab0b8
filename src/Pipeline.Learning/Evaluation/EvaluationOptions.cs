// Settings of a task evaluation: k and temperature of maj@k, length limit, seed and batch size.
namespace Pipeline.Learning.Evaluation;

/// <summary>How <see cref="TaskEvaluator"/> generates.</summary>
public sealed record EvaluationOptions
{
    /// <summary>k of maj@k: samples per problem.</summary>
    public int Samples { get; init; } = 8;

    /// <summary>Sampling temperature of the maj@k samples.</summary>
    public float Temperature { get; init; } = 0.8f;

    /// <summary>New-token limit; null: twice the longest gold response of the set plus 8.</summary>
    public int? MaxNewTokens { get; init; }

    /// <summary>Seed of the sampling streams.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Sequences per generation batch and per teacher-forced judge batch.</summary>
    public int BatchSize { get; init; } = 64;
}
