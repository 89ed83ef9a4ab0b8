// The contract every embedded task satisfies: its data splits (base-model SFT, campaign prompts, held-out sets, judge
// examples), where a response's final answer is and what it says, and which characters its texts use (so a
// character-level tokenizer can be built from it). Stages and commands reach a task only through this and TaskRegistry.
namespace Pipeline.Learning.Tasks;

/// <summary>An embedded task: problems with gold answers and a delimited final answer in every response.</summary>
public interface ITask
{
    /// <summary>Short stable name, e.g. <c>arith</c>.</summary>
    string Name { get; }

    /// <summary>Every character any prompt, solution or judge text of the task can contain, each once, in ordinal order.</summary>
    string Alphabet { get; }

    /// <summary>Distinct campaign prompts the splits hold (iterations × prompts per iteration must fit).</summary>
    int CampaignPromptCount { get; }

    /// <summary>Labels of the difficulties with a held-out set, in order.</summary>
    IReadOnlyList<string> EvaluationDifficulties { get; }

    /// <summary>Problems in each held-out set.</summary>
    int EvaluationProblemsPerDifficulty { get; }

    /// <summary>
    /// The character range of the final answer in <paramref name="response"/>, or null when the response has no
    /// well-formed final answer.
    /// </summary>
    IndexRange? FindAnswer(string response);

    /// <summary>The final answer of <paramref name="response"/> in canonical form, or null when absent or malformed.</summary>
    string? ExtractAnswer(string response);

    /// <summary>
    /// The splits for <paramref name="seed"/>, the same for the same seed and sizes; held-out prompts never appear in
    /// another split, and the campaign and held-out sets do not depend on the SFT and judge sizes.
    /// </summary>
    TaskSplits Splits(int seed, SplitSizes? sizes = null);

    /// <summary>Verdict examples (correct and corrupted solutions) over <paramref name="problems"/>.</summary>
    IReadOnlyList<JudgeExample> JudgeExamples(IReadOnlyList<TaskProblem> problems, int seed);

    /// <summary>
    /// Self-correction examples over <paramref name="problems"/>: the correction prompt around a first attempt (gold, or
    /// with a synthetic mistake) and the gold solution as the second attempt.
    /// </summary>
    IReadOnlyList<CorrectionExample> CorrectionExamples(IReadOnlyList<TaskProblem> problems, int seed);

    /// <summary>
    /// Meta-judge examples over <paramref name="problems"/>: a response (gold or mistaken), its right and its wrong verdict
    /// as judgements A and B in either order, and the continuation naming the right one.
    /// </summary>
    IReadOnlyList<JudgeExample> MetaJudgeExamples(IReadOnlyList<TaskProblem> problems, int seed);

    /// <summary>Verdict examples whose judged text is only the final answer (<see cref="AnswerOnly"/>), for TPO's judge.</summary>
    IReadOnlyList<JudgeExample> AnswerJudgeExamples(IReadOnlyList<TaskProblem> problems, int seed);

    /// <summary>What an answer-only judge sees of <paramref name="response"/>: its delimited final answer alone, "" when it has none.</summary>
    string AnswerOnly(string response);
}

/// <summary>Overrides of a task's default split sizes (null keeps the default).</summary>
/// <param name="SftPerDifficulty">SFT problems per training difficulty.</param>
/// <param name="JudgePerDifficulty">Judge-training examples per training difficulty.</param>
/// <param name="CampaignOnly">Only the campaign and held-out sets (SFT, judge and correction data empty), as campaigns need.</param>
/// <param name="CorrectionPerDifficulty">Self-correction examples per training difficulty.</param>
/// <param name="MetaJudgePerDifficulty">Meta-judge examples per training difficulty.</param>
/// <param name="AnswerJudgePerDifficulty">Answer-only verdict examples per training difficulty.</param>
public sealed record SplitSizes(int? SftPerDifficulty = null, int? JudgePerDifficulty = null, bool CampaignOnly = false,
    int? CorrectionPerDifficulty = null, int? MetaJudgePerDifficulty = null, int? AnswerJudgePerDifficulty = null);
