// How a label-free recipe picks the answer it treats as right among one prompt's samples: plain majority, or
// self-certainty Borda voting (arXiv 2502.18581), which weighs each sample's vote by its self-certainty rank.
namespace Pipeline.Learning.Signals;

/// <summary>The pseudo-label of a prompt's samples.</summary>
public enum PseudoLabelRule
{
    /// <summary>The most frequent answer (one vote per sample).</summary>
    Majority,

    /// <summary>Self-certainty Borda voting: sample of rank r gives (N − r + 1)^p votes.</summary>
    SelfCertaintyBorda,
}

/// <summary>Applies a <see cref="PseudoLabelRule"/>.</summary>
public static class PseudoLabels
{
    /// <summary>
    /// The vote under <paramref name="rule"/> over one prompt's samples (answers null where a sample has none); the
    /// Borda rule needs each sample's self-certainty and uses <paramref name="power"/>.
    /// </summary>
    public static VoteResult Vote(IReadOnlyList<string?> answers, IReadOnlyList<double> selfCertainties, PseudoLabelRule rule, double power) =>
        rule switch
        {
            PseudoLabelRule.Majority => AnswerVoting.Majority(answers),
            PseudoLabelRule.SelfCertaintyBorda => AnswerVoting.SelfCertaintyBorda(answers, selfCertainties, power),
            _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, "Unknown pseudo-label rule."),
        };

    /// <summary>Each sample's share of the votes that went to its own answer (0 without an answer).</summary>
    public static double[] AnswerShares(IReadOnlyList<string?> answers, IReadOnlyList<double> selfCertainties, PseudoLabelRule rule, double power)
    {
        ArgumentNullException.ThrowIfNull(answers);
        int n = answers.Count;
        var weights = rule == PseudoLabelRule.Majority
            ? Enumerable.Repeat(1.0, n).ToArray()
            : AnswerVoting.BordaWeights(selfCertainties, power);
        double total = weights.Sum();
        var shares = new double[n];
        for (int i = 0; i < n; i++)
        {
            if (answers[i] is not { } a || total <= 0) continue;
            double votes = 0;
            for (int j = 0; j < n; j++) if (answers[j] == a) votes += weights[j];
            shares[i] = votes / total;
        }
        return shares;
    }
}
