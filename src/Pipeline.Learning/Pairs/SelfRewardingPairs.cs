// Self-Rewarding pairs: per prompt, the candidate with the highest mean judge score against the one with the lowest;
// ties dropped. With length control (Meta-Rewarding), scores within a band below the best count as ties for the top
// and the shortest of them is chosen.
namespace Pipeline.Learning.Pairs;

/// <summary>One candidate as the self-rewarding builder sees it.</summary>
/// <param name="Score">Mean judge score, or null when the judge gave none.</param>
/// <param name="Length">Response length (tokens or characters, consistently), used by length control.</param>
public readonly record struct JudgedCandidate(double? Score, int Length);

/// <summary>Preference pairs from judge scores (Self-Rewarding, with optional length control).</summary>
public static class SelfRewardingPairs
{
    /// <summary>
    /// One pair per group: chosen = the highest score (with <paramref name="lengthBand"/> &gt; 0: the shortest candidate
    /// scoring at least max − band; equal lengths or scores go to the lower index), rejected = the lowest score (lowest
    /// index among equals). A group is dropped as a tie when the lowest score is within the band of the best (band 0:
    /// all scores equal), and dropped without a tie when fewer than two candidates are scored.
    /// </summary>
    public static PairBatch Build(IReadOnlyList<IReadOnlyList<JudgedCandidate>> groups, double lengthBand = 0)
    {
        if (!(lengthBand >= 0)) throw new ArgumentOutOfRangeException(nameof(lengthBand), lengthBand, "The band must be ≥ 0.");
        var pairs = new List<PreferencePair>();
        int withoutPair = 0, ties = 0, unscored = 0;
        for (int g = 0; g < groups.Count; g++)
        {
            var c = groups[g];
            var scored = Enumerable.Range(0, c.Count).Where(i => c[i].Score.HasValue).ToList();
            unscored += c.Count - scored.Count;
            if (scored.Count < 2) { withoutPair++; continue; }

            double max = scored.Max(i => c[i].Score!.Value);
            int rejected = scored.OrderBy(i => c[i].Score!.Value).ThenBy(i => i).First();
            double min = c[rejected].Score!.Value;
            if (min >= max - lengthBand) { ties++; withoutPair++; continue; }

            int chosen = scored.Where(i => c[i].Score!.Value >= max - lengthBand)
                .OrderBy(i => lengthBand > 0 ? c[i].Length : 0).ThenByDescending(i => c[i].Score!.Value).ThenBy(i => i).First();
            double chosenScore = c[chosen].Score!.Value;
            pairs.Add(new PreferencePair(g, chosen, rejected, chosenScore, min));
        }
        return new PairBatch(pairs, withoutPair, ties, unscored);
    }
}
