// The embedded task's judge: the candidate solution is followed by a verdict cue, and the score is the probability the
// model gives to the "correct" verdict, normalised over the two verdicts (or, sampled, the share of "correct" verdicts).
namespace Pipeline.Learning.Judging;

/// <summary>Verdict judge: "…\nVerdict: correct|incorrect".</summary>
public static class VerdictJudge
{
    /// <summary>The continuation that declares the solution correct.</summary>
    public const string CorrectVerdict = " correct";

    /// <summary>The continuation that declares the solution incorrect.</summary>
    public const string IncorrectVerdict = " incorrect";

    private const string Cue = "\nVerdict:";

    /// <summary>The verdict prompt: the problem's prompt, the candidate response, then the verdict cue.</summary>
    public static string BuildPrompt(string prompt, string response) => prompt + response + Cue;

    /// <summary>
    /// p(correct) normalised over the two verdicts: exp(a) / (exp(a) + exp(b)) = σ(a − b) for the continuation
    /// log-probs a (correct) and b (incorrect).
    /// </summary>
    public static double ProbabilityCorrect(double logProbCorrect, double logProbIncorrect)
        => Logistic.Sigmoid(logProbCorrect - logProbIncorrect);

    /// <summary>Scores a response by the model's probability of the correct verdict (one teacher-forced call, never a parse failure).</summary>
    public static JudgeScore ScoreByProbability(IJudgeModel model, string prompt, string response)
    {
        var logProbs = model.ContinuationLogProbs(BuildPrompt(prompt, response), [CorrectVerdict, IncorrectVerdict]);
        if (logProbs.Count != 2) throw new InvalidOperationException("The judge model must return one log-prob per continuation.");
        return new JudgeScore(ProbabilityCorrect(logProbs[0], logProbs[1]), 1, 0);
    }

    /// <summary>
    /// Reads a sampled verdict: true for "correct", false for "incorrect" (leading whitespace ignored, the word must end
    /// at a non-letter), null for anything else.
    /// </summary>
    public static bool? ParseVerdict(string completion)
    {
        var text = completion.AsSpan().TrimStart();
        if (StartsWithWord(text, IncorrectVerdict.Trim())) return false;
        if (StartsWithWord(text, CorrectVerdict.Trim())) return true;
        return null;
    }

    /// <summary>Samples <paramref name="samples"/> verdicts; the score is the share of "correct" among the readable ones.</summary>
    public static JudgeScore ScoreBySampling(IJudgeModel model, string prompt, string response, int samples)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        var outputs = model.Sample(BuildPrompt(prompt, response), samples);
        return JudgeScore.FromParsed(outputs.Select(o => ParseVerdict(o) is { } v ? (v ? 1.0 : 0.0) : (double?)null).ToList());
    }

    private static bool StartsWithWord(ReadOnlySpan<char> text, string word) =>
        text.StartsWith(word, StringComparison.OrdinalIgnoreCase) && (text.Length == word.Length || !char.IsLetter(text[word.Length]));
}
