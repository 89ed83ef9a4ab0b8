// What the judges need from a model, and nothing more: sampled completions and teacher-forced continuation log-probs.
// The engine-backed implementation lives with the model code; the judge logic stays testable without a model.
namespace Pipeline.Learning.Judging;

/// <summary>The model as a judge.</summary>
public interface IJudgeModel
{
    /// <summary><paramref name="count"/> sampled completions of <paramref name="prompt"/>.</summary>
    IReadOnlyList<string> Sample(string prompt, int count);

    /// <summary>
    /// For each continuation, log p(continuation | prompt): the sum of its tokens' log-probabilities in a teacher-forced
    /// pass over prompt + continuation, in the same order as <paramref name="continuations"/>.
    /// </summary>
    IReadOnlyList<double> ContinuationLogProbs(string prompt, IReadOnlyList<string> continuations);
}
