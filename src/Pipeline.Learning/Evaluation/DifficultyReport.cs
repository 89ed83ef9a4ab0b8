// The measurements of one held-out set (one difficulty).
namespace Pipeline.Learning.Evaluation;

/// <summary>Evaluation of a model on one difficulty. Rates are in [0, 1]; NaN where undefined.</summary>
/// <param name="Difficulty">Difficulty label.</param>
/// <param name="Problems">Problems in the set.</param>
/// <param name="GreedyAccuracy">Share of greedy responses whose final answer equals the gold answer.</param>
/// <param name="GreedyNoAnswer">Share of greedy responses without a well-formed final answer.</param>
/// <param name="Samples">k of maj@k.</param>
/// <param name="MajorityAccuracy">maj@k: share of problems whose majority answer over k samples is the gold answer.</param>
/// <param name="VoteShareEce">ECE (10 bins) of the majority answer's vote share as the confidence that it is correct.</param>
/// <param name="AnswerConfidenceEce">
/// ECE (10 bins) of the greedy response's answer-span confidence (mean chosen-token probability over the final answer's
/// tokens, 0 without an answer) as the confidence that the greedy answer is correct.
/// </param>
/// <param name="SelfCertaintyAuroc">
/// AUROC of the greedy responses' self-certainty (statistics at temperature 1) for correct vs incorrect; NaN when one
/// class is empty.
/// </param>
/// <param name="SampledSelfCertaintyAuroc">
/// AUROC of the maj@k samples' self-certainty (statistics at the sampling temperature, as a campaign scores its samples)
/// for correct vs incorrect, pooled over all problems × k samples; NaN when one class is empty.
/// </param>
/// <param name="WithinPromptSelfCertaintyAuroc">
/// Mean over problems whose k samples are partly right of the AUROC among that problem's samples: how well
/// self-certainty ranks the answers to one prompt, the comparison a group-relative update makes; NaN when no problem
/// has both right and wrong samples.
/// </param>
/// <param name="MixedProblems">Problems whose k samples are partly right (those <paramref name="WithinPromptSelfCertaintyAuroc"/> averages).</param>
/// <param name="MeanSelfCertaintyCorrect">Mean self-certainty of correct greedy responses.</param>
/// <param name="MeanSelfCertaintyIncorrect">Mean self-certainty of incorrect greedy responses.</param>
/// <param name="MeanResponseTokens">Mean greedy response length in tokens (the final EOS counted).</param>
/// <param name="JudgeExamples">Verdict examples judged.</param>
/// <param name="JudgeAccuracy">Share of verdict examples where p(correct verdict) ≥ 0.5 agrees with the label.</param>
public sealed record DifficultyReport(
    string Difficulty,
    int Problems,
    double GreedyAccuracy,
    double GreedyNoAnswer,
    int Samples,
    double MajorityAccuracy,
    double VoteShareEce,
    double AnswerConfidenceEce,
    double SelfCertaintyAuroc,
    double SampledSelfCertaintyAuroc,
    double WithinPromptSelfCertaintyAuroc,
    int MixedProblems,
    double MeanSelfCertaintyCorrect,
    double MeanSelfCertaintyIncorrect,
    double MeanResponseTokens,
    int JudgeExamples,
    double JudgeAccuracy)
{
    /// <summary>The second-attempt figures, when <see cref="EvaluationOptions.SecondAttempt"/> was set; null otherwise.</summary>
    public SelfCorrectionReport? SelfCorrection { get; init; }

    /// <summary>The judge on the model's own samples, when <see cref="EvaluationOptions.JudgeSamples"/> asked for it; null otherwise.</summary>
    public SampleJudgeReport? SampleJudge { get; init; }

    /// <summary>pass@1 at the sampling temperature: the mean over problems of the share of the k samples that are right.</summary>
    public double PassAtOne { get; init; } = double.NaN;

    /// <summary>Accuracy of self-certainty Borda voting over the k samples at p = 0.3 (arXiv 2502.18581; N ≤ 16).</summary>
    public double BordaAccuracyLowPower { get; init; } = double.NaN;

    /// <summary>Accuracy of self-certainty Borda voting over the k samples at p = 1.2 (the paper's choice for N ≥ 32).</summary>
    public double BordaAccuracyHighPower { get; init; } = double.NaN;

    /// <summary>Per problem, in set order, what the model got right: what paired statistics (bootstrap, McNemar) need.</summary>
    public ProblemOutcomes? Outcomes { get; init; }
}

/// <summary>Per-problem outcomes of one evaluation, index i being problem i of the set.</summary>
/// <param name="GreedyCorrect">The greedy answer is the gold answer.</param>
/// <param name="SamplesCorrect">How many of the k samples have the gold answer.</param>
/// <param name="MajorityCorrect">The majority answer of the k samples is the gold answer.</param>
public sealed record ProblemOutcomes(IReadOnlyList<bool> GreedyCorrect, IReadOnlyList<int> SamplesCorrect, IReadOnlyList<bool> MajorityCorrect);
