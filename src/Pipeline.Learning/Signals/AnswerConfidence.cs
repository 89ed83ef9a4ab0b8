// Which per-token confidence RLSF averages over the final-answer span.
namespace Pipeline.Learning.Signals;

/// <summary>The per-token confidence averaged over the answer span.</summary>
public enum AnswerConfidence
{
    /// <summary>The probability of the chosen token (RLSF's default).</summary>
    ChosenTokenProb,

    /// <summary>p_top1 − p_top2 of the distribution that produced the token (RLSF's variant).</summary>
    TopTwoMargin,
}
