// The policy as its own one-token verdict judge, scored exactly: p(correct) = σ(log p(" correct") − log p(" incorrect"))
// after the verdict cue, from batched teacher-forced passes. This is the expectation of the share of sampled verdicts
// saying "correct" (restricted to the two readable verdicts), without the sampling noise, so judging, evaluation and
// the signal gates all use it.
using Pipeline.Learning.Policies;
using Pipeline.Learning.Tasks;
using Pipeline.Learning.Updates;

namespace Pipeline.Learning.Judging;

/// <summary>Exact verdict probabilities of a policy.</summary>
public static class VerdictProbabilities
{
    /// <summary>
    /// p(correct) for each verdict prompt (<see cref="VerdictJudge.BuildPrompt"/>'s output), in passes of at most
    /// <paramref name="batchSize"/> sequences.
    /// </summary>
    public static double[] Compute(IPolicy model, TaskEncoding encoding, IReadOnlyList<string> verdictPrompts, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(encoding);
        ArgumentNullException.ThrowIfNull(verdictPrompts);
        var rows = new List<PromptResponse>(2 * verdictPrompts.Count);
        var correct = encoding.Continuation(VerdictJudge.CorrectVerdict);
        var incorrect = encoding.Continuation(VerdictJudge.IncorrectVerdict);
        foreach (var text in verdictPrompts)
        {
            int[] prompt = encoding.Prompt(text);
            rows.Add(new PromptResponse(prompt, correct));
            rows.Add(new PromptResponse(prompt, incorrect));
        }
        if (rows.Count == 0) return [];
        var logProbs = model.LogProbs(rows, batchSize);
        var probabilities = new double[verdictPrompts.Count];
        for (int i = 0; i < probabilities.Length; i++)
            probabilities[i] = VerdictJudge.ProbabilityCorrect(logProbs[2 * i].Sum(x => (double)x), logProbs[2 * i + 1].Sum(x => (double)x));
        return probabilities;
    }
}
