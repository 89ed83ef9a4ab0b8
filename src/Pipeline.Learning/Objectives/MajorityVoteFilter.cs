// Majority-vote self-training (easy-to-hard, Lee et al.): keep a prompt's majority answer when enough samples agree,
// then drop the kept outputs that are far shorter than their batch (a truncated solution usually means a wrong one).
// What survives is trained on with SftLoss. The votes are the scoring stage's; this filter only reads them.

namespace Pipeline.Learning.Objectives;

/// <summary>The data filter of majority-vote self-training.</summary>
public static class MajorityVoteFilter
{
    /// <summary>
    /// Per group: kept when its majority answer's vote share is ≥ <paramref name="minVoteShare"/>, the example being the
    /// first sample marked as the majority. Then, over the
    /// kept examples, those with Length &lt; <paramref name="minLengthFraction"/> × the mean kept length are dropped.
    /// </summary>
    public static SelfTrainingSelection Select(IReadOnlyList<IReadOnlyList<SelfTrainingCandidate>> groups,
        double minVoteShare = 0.5, double minLengthFraction = 0.5)
    {
        var voted = new List<(SelfTrainingExample Example, int Length)>();
        int belowShare = 0;
        for (int g = 0; g < groups.Count; g++)
        {
            var candidates = groups[g];
            int first = candidates.ToList().FindIndex(c => c.Majority && c.Answer is not null);
            if (first < 0 || candidates[first].VoteShare < minVoteShare) { belowShare++; continue; }
            var winner = candidates[first];
            voted.Add((new SelfTrainingExample(g, first, winner.Answer!, winner.VoteShare), winner.Length));
        }
        if (voted.Count == 0) return new SelfTrainingSelection([], belowShare, 0);

        double meanLength = voted.Average(v => v.Length);
        var kept = voted.Where(v => v.Length >= minLengthFraction * meanLength).Select(v => v.Example).ToList();
        return new SelfTrainingSelection(kept, belowShare, voted.Count - kept.Count);
    }
}
