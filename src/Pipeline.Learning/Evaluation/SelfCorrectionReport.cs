// SCoRe's evaluation figures on one held-out set: greedy first attempt, then a greedy second attempt on the correction
// prompt around it; shares of all problems.
namespace Pipeline.Learning.Evaluation;

/// <summary>Accuracy before and after the model's own correction turn.</summary>
/// <param name="FirstAttemptAccuracy">Acc@t1: share of problems whose first attempt is right.</param>
/// <param name="SecondAttemptAccuracy">Acc@t2: share whose second attempt is right.</param>
/// <param name="IncorrectToCorrect">Δ(i→c): share whose first attempt is wrong and second right.</param>
/// <param name="CorrectToIncorrect">Δ(c→i): share whose first attempt is right and second wrong.</param>
public sealed record SelfCorrectionReport(double FirstAttemptAccuracy, double SecondAttemptAccuracy, double IncorrectToCorrect, double CorrectToIncorrect)
{
    /// <summary>Δ = Acc@t2 − Acc@t1 (= Δ(i→c) − Δ(c→i)).</summary>
    public double Delta => SecondAttemptAccuracy - FirstAttemptAccuracy;

    /// <summary>The figures of per-problem outcomes (first attempt right, second attempt right).</summary>
    public static SelfCorrectionReport FromOutcomes(IReadOnlyList<(bool First, bool Second)> outcomes)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        if (outcomes.Count == 0) throw new ArgumentException("No outcome to summarise.", nameof(outcomes));
        double n = outcomes.Count;
        return new SelfCorrectionReport(
            outcomes.Count(o => o.First) / n,
            outcomes.Count(o => o.Second) / n,
            outcomes.Count(o => !o.First && o.Second) / n,
            outcomes.Count(o => o.First && !o.Second) / n);
    }
}
