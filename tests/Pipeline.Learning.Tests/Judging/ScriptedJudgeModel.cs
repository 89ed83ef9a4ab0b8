// A judge model for tests: returns scripted completions and continuation log-probs, and records the prompts it saw.
using Pipeline.Learning.Judging;

namespace Pipeline.Learning.Tests.Judging;

internal sealed class ScriptedJudgeModel(IReadOnlyList<string> completions, IReadOnlyList<double>? continuationLogProbs = null) : IJudgeModel
{
    public List<string> Prompts { get; } = [];
    public List<IReadOnlyList<string>> Continuations { get; } = [];

    public IReadOnlyList<string> Sample(string prompt, int count)
    {
        Prompts.Add(prompt);
        return completions.Take(count).ToList();
    }

    public IReadOnlyList<double> ContinuationLogProbs(string prompt, IReadOnlyList<string> continuations)
    {
        Prompts.Add(prompt);
        Continuations.Add(continuations);
        return continuationLogProbs ?? throw new InvalidOperationException("No log-probs scripted.");
    }
}
