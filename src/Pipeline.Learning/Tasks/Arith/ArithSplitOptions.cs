// Sizes and difficulties of the arith splits.
namespace Pipeline.Learning.Tasks.Arith;

/// <summary>What <see cref="ArithTask.BuildSplits"/> generates.</summary>
/// <param name="Seed">Base seed; every split and difficulty derives its own stream from it.</param>
/// <param name="TrainDifficulties">Difficulties of the SFT data and the judge-training examples.</param>
/// <param name="SftPerDifficulty">SFT problems per training difficulty (repeats allowed when the space is small).</param>
/// <param name="CampaignDifficulty">Difficulty of the campaign prompts, typically one step harder than training.</param>
/// <param name="CampaignCount">Number of distinct campaign prompts.</param>
/// <param name="EvaluationDifficulties">Difficulties with a held-out evaluation set.</param>
/// <param name="EvaluationPerDifficulty">Distinct problems per evaluation set.</param>
/// <param name="JudgePerDifficulty">Judge-training examples per training difficulty, half correct, half corrupted.</param>
/// <param name="CampaignSftCount">
/// SFT problems of the campaign difficulty (distinct, and distinct from campaign and evaluation prompts): a small share
/// gives the base model a foothold one step up, which length generalisation alone does not.
/// </param>
/// <param name="CorrectionPerDifficulty">
/// Self-correction examples per training difficulty, half with a gold first attempt and half with a first attempt from
/// one of the synthetic error families; the campaign difficulty never gets any.
/// </param>
/// <param name="MetaJudgePerDifficulty">Meta-judge examples per training difficulty (Meta-Rewarding).</param>
/// <param name="AnswerJudgePerDifficulty">Answer-only verdict examples per training difficulty (TPO).</param>
/// <param name="ValidationCount">
/// Labelled problems of the campaign difficulty for choosing settings (learning rates, thresholds, gates), disjoint from the
/// held-out sets, the campaign prompts and SFT: nothing is tuned on the held-out (test) sets.
/// </param>
public sealed record ArithSplitOptions(
    int Seed,
    IReadOnlyList<ArithDifficulty> TrainDifficulties,
    int SftPerDifficulty,
    ArithDifficulty CampaignDifficulty,
    int CampaignCount,
    IReadOnlyList<ArithDifficulty> EvaluationDifficulties,
    int EvaluationPerDifficulty,
    int JudgePerDifficulty,
    int CampaignSftCount = 0,
    int CorrectionPerDifficulty = 0,
    int MetaJudgePerDifficulty = 0,
    int AnswerJudgePerDifficulty = 0,
    int ValidationCount = 0)
{
    /// <summary>
    /// The default ladder: SFT on 1–2-digit operands with one or two operations plus a small share (0.5%) of the campaign
    /// difficulty, campaigns on two-digit operands with three operations, held-out sets for the trained two-digit
    /// difficulties, the campaign difficulty and one beyond it (1,000 problems each, so a paired 4-point change on the
    /// campaign difficulty is detectable), and a validation set of 1,000 campaign-difficulty problems. Without the small share a tiny model trained on one or
    /// two operations stops after two on every prompt (measured: 0% on three operations).
    /// </summary>
    public static ArithSplitOptions Recommended(int seed) => new(
        seed,
        TrainDifficulties: [new(1, 1), new(2, 1), new(1, 2), new(2, 2)],
        SftPerDifficulty: 5000,
        CampaignDifficulty: new(2, 3),
        CampaignCount: 1000,
        EvaluationDifficulties: [new(2, 1), new(2, 2), new(2, 3), new(2, 4)],
        EvaluationPerDifficulty: 1000,
        JudgePerDifficulty: 1000,
        CampaignSftCount: 100,
        CorrectionPerDifficulty: 1000,
        MetaJudgePerDifficulty: 500,
        AnswerJudgePerDifficulty: 500,
        ValidationCount: 1000);
}
