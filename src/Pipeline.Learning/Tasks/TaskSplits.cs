// The data one embedded task provides to a campaign: SFT data for the base model, prompts for the campaign, held-out
// labelled evaluation (test) sets per difficulty, a validation set of the campaign difficulty, and judge-training examples.
namespace Pipeline.Learning.Tasks;

/// <summary>The splits of a task. Evaluation prompts never appear in any other split.</summary>
/// <param name="Sft">Supervised data for the base model (prompt + gold solution), training difficulties.</param>
/// <param name="Campaign">
/// Campaign prompts (the next difficulty). Gold answers are kept only for the gold-reward baseline and for reporting;
/// label-free recipes must not read them.
/// </param>
/// <param name="Evaluation">Held-out labelled sets keyed by difficulty label.</param>
/// <param name="Judge">Judge-training examples: correct and corrupted solutions with their verdicts.</param>
public sealed record TaskSplits(
    IReadOnlyList<TaskProblem> Sft,
    IReadOnlyList<TaskProblem> Campaign,
    IReadOnlyDictionary<string, IReadOnlyList<TaskProblem>> Evaluation,
    IReadOnlyList<JudgeExample> Judge)
{
    /// <summary>Self-correction examples at the training difficulties (the second turn's SFT data).</summary>
    public IReadOnlyList<CorrectionExample> Corrections { get; init; } = [];

    /// <summary>Meta-judge examples at the training difficulties (Meta-Rewarding's judge of judgements).</summary>
    public IReadOnlyList<JudgeExample> MetaJudge { get; init; } = [];

    /// <summary>Answer-only verdict examples at the training difficulties (TPO's judge).</summary>
    public IReadOnlyList<JudgeExample> AnswerJudge { get; init; } = [];
    /// <summary>
    /// Labelled problems of the campaign difficulty for choosing settings and for the offline signal gates; disjoint from
    /// every other split, so the held-out sets stay untouched by any choice.
    /// </summary>
    public IReadOnlyList<TaskProblem> Validation { get; init; } = [];
}
