// The gold-label check used by the gold-reward baseline and by evaluation: exact match of the extracted final answer.
using Pipeline.Learning.Tasks;

namespace Pipeline.Learning.Judging;

/// <summary>Exact-match verifier over a task's answer extraction.</summary>
/// <param name="task">The task whose answer format the responses follow.</param>
public sealed class Verifier(ITask task)
{
    /// <summary>True when <paramref name="response"/> has a final answer and it equals <paramref name="goldAnswer"/> (ordinal).</summary>
    public bool IsCorrect(string response, string goldAnswer) =>
        task.ExtractAnswer(response) is { } answer && string.Equals(answer, goldAnswer, StringComparison.Ordinal);

    /// <summary>The 0/1 reward of <paramref name="response"/>.</summary>
    public double Reward(string response, string goldAnswer) => IsCorrect(response, goldAnswer) ? 1.0 : 0.0;
}
