// Held-out measurements of one difficulty, as the orchestrator records them per iteration.
namespace Pipeline.Contracts;

/// <summary>A policy's figures on one held-out difficulty; NaN where undefined.</summary>
/// <param name="Difficulty">Difficulty label, e.g. <c>d2s3</c>.</param>
/// <param name="Problems">Problems in the set.</param>
/// <param name="GreedyAccuracy">Greedy accuracy.</param>
/// <param name="MajorityAccuracy">maj@k accuracy.</param>
/// <param name="Ece">Expected calibration error of the answer-span confidence.</param>
/// <param name="MeanSelfCertainty">Mean self-certainty of the greedy responses.</param>
/// <param name="SelfCertaintyAuroc">AUROC of self-certainty for correct vs incorrect.</param>
/// <param name="MeanResponseTokens">Mean greedy response length in tokens.</param>
/// <param name="JudgeAccuracy">
/// Accuracy of the policy as a verdict judge, read from the verdict probabilities (so nothing can fail to parse here;
/// the judging stage counts its parse failures in its shard summaries).
/// </param>
public sealed record DifficultyMetrics(string Difficulty, int Problems, double GreedyAccuracy, double MajorityAccuracy,
    double Ece, double MeanSelfCertainty, double SelfCertaintyAuroc, double MeanResponseTokens, double JudgeAccuracy)
{
    /// <summary>Acc@t1, Acc@t2 and the changes between them, when the campaign evaluates a second attempt; null otherwise.</summary>
    public SelfCorrectionMetrics? SelfCorrection { get; init; }

    /// <summary>The policy as judge of its own samples (accuracy against the verifier), when the campaign measures it; NaN otherwise.</summary>
    public double SampleJudgeAccuracy { get; init; } = double.NaN;

    /// <summary>The same judge's within-prompt AUROC over each problem's samples; NaN when not measured or undefined.</summary>
    public double SampleJudgeAuroc { get; init; } = double.NaN;
}
