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
public sealed record ArithSplitOptions(
    int Seed,
    IReadOnlyList<ArithDifficulty> TrainDifficulties,
    int SftPerDifficulty,
    ArithDifficulty CampaignDifficulty,
    int CampaignCount,
    IReadOnlyList<ArithDifficulty> EvaluationDifficulties,
    int EvaluationPerDifficulty,
    int JudgePerDifficulty)
{
    /// <summary>
    /// The default ladder. SFT covers one- and two-digit operands with one or two operations, and one-digit operands with
    /// three; the campaign difficulty is two-digit operands with three operations, a combination never trained on (its
    /// running values also pass 200, which two operations of two-digit operands never reach). Held-out sets: the
    /// trained two-digit difficulties, the campaign difficulty and one beyond it.
    /// </summary>
    public static ArithSplitOptions Recommended(int seed) => new(
        seed,
        TrainDifficulties: [new(1, 1), new(2, 1), new(1, 2), new(2, 2), new(1, 3)],
        SftPerDifficulty: 5000,
        CampaignDifficulty: new(2, 3),
        CampaignCount: 1000,
        EvaluationDifficulties: [new(2, 1), new(2, 2), new(2, 3), new(2, 4)],
        EvaluationPerDifficulty: 200,
        JudgePerDifficulty: 2000);
}
