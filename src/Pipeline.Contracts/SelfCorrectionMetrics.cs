// SCoRe's held-out figures of one difficulty, carried with the other evaluation figures when the campaign evaluates a
// second attempt.
namespace Pipeline.Contracts;

/// <summary>Greedy accuracy before and after the policy's own correction turn; shares of all problems.</summary>
/// <param name="FirstAttemptAccuracy">Acc@t1.</param>
/// <param name="SecondAttemptAccuracy">Acc@t2.</param>
/// <param name="Delta">Δ = Acc@t2 − Acc@t1.</param>
/// <param name="IncorrectToCorrect">Δ(i→c): wrong first, right second.</param>
/// <param name="CorrectToIncorrect">Δ(c→i): right first, wrong second.</param>
public sealed record SelfCorrectionMetrics(double FirstAttemptAccuracy, double SecondAttemptAccuracy, double Delta, double IncorrectToCorrect,
    double CorrectToIncorrect);
