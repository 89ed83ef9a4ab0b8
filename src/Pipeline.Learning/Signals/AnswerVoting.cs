// Majority voting and self-certainty Borda voting over the extracted answers of N samples of one prompt.
namespace Pipeline.Learning.Signals;

/// <summary>
/// Voting over extracted answers. Ties between answers go to the one that occurs first in sample order, so majority
/// voting and Borda voting with p = 0 always agree.
/// </summary>
public static class AnswerVoting
{
    /// <summary>The paper's Borda power for N ≤ 16 samples (arXiv 2502.18581).</summary>
    public const double BordaLowPower = 0.3;

    /// <summary>The paper's Borda power for N ≥ 32 samples.</summary>
    public const double BordaHighPower = 1.2;

    /// <summary>One vote per sample that has an answer; the most frequent answer wins.</summary>
    public static VoteResult Majority(IReadOnlyList<string?> answers) =>
        Tally(answers, Enumerable.Repeat(1.0, answers.Count).ToArray());

    /// <summary>
    /// Self-certainty Borda voting: samples are ranked by self-certainty (r = 1 highest; equal values keep sample order)
    /// and sample r gives (N − r + 1)^<paramref name="power"/> votes to its answer. p = 0 is majority voting.
    /// Samples without an answer keep their rank but abstain.
    /// </summary>
    public static VoteResult SelfCertaintyBorda(IReadOnlyList<string?> answers, IReadOnlyList<double> selfCertainties, double power)
    {
        if (answers.Count != selfCertainties.Count) throw new ArgumentException("One self-certainty per answer is needed.", nameof(selfCertainties));
        if (!(power >= 0)) throw new ArgumentOutOfRangeException(nameof(power), power, "The power must be ≥ 0.");
        return Tally(answers, BordaWeights(selfCertainties, power));
    }

    /// <summary>Each sample's Borda votes: (N − r + 1)^p for its self-certainty rank r (1 highest; ties keep sample order).</summary>
    public static double[] BordaWeights(IReadOnlyList<double> selfCertainties, double power)
    {
        ArgumentNullException.ThrowIfNull(selfCertainties);
        if (!(power >= 0)) throw new ArgumentOutOfRangeException(nameof(power), power, "The power must be ≥ 0.");
        int n = selfCertainties.Count;
        var order = Enumerable.Range(0, n).OrderByDescending(i => selfCertainties[i]).ThenBy(i => i).ToArray();
        var weights = new double[n];
        for (int rank = 1; rank <= n; rank++) weights[order[rank - 1]] = Math.Pow(n - rank + 1, power);
        return weights;
    }

    private static VoteResult Tally(IReadOnlyList<string?> answers, double[] weights)
    {
        var votes = new Dictionary<string, double>(StringComparer.Ordinal);
        var firstSeen = new List<string>();
        int abstentions = 0;
        for (int i = 0; i < answers.Count; i++)
        {
            if (answers[i] is not { } a) { abstentions++; continue; }
            if (!votes.TryGetValue(a, out double v)) firstSeen.Add(a);
            votes[a] = v + weights[i];
        }
        string? winner = null;
        double best = double.NegativeInfinity;
        foreach (var a in firstSeen)
            if (votes[a] > best) (winner, best) = (a, votes[a]);
        return new VoteResult(winner, winner is null ? 0 : best, weights.Sum(), abstentions);
    }
}
