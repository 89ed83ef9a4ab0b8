// Area under the ROC curve of a score that should rank positives above negatives: the probability that a random positive
// scores higher than a random negative, ties counting one half (the Mann–Whitney U statistic divided by n+·n−).
namespace Pipeline.Learning.Evaluation;

/// <summary>AUROC of a scalar score against binary labels.</summary>
public static class Auroc
{
    /// <summary>
    /// P(score of a positive &gt; score of a negative) + ½·P(equal), over all positive/negative pairs; NaN when either
    /// class is empty. Computed from ranks in O(n log n).
    /// </summary>
    public static double Compute(IReadOnlyList<double> scores, IReadOnlyList<bool> positive)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(positive);
        if (scores.Count != positive.Count) throw new ArgumentException("One label per score is needed.", nameof(positive));
        if (scores.Any(double.IsNaN)) throw new ArgumentException("Scores must not be NaN.", nameof(scores));
        int n = scores.Count;
        long positives = positive.Count(p => p), negatives = n - positives;
        if (positives == 0 || negatives == 0) return double.NaN;

        var order = Enumerable.Range(0, n).OrderBy(i => scores[i]).ToArray();
        // Sum of the positives' ranks (1-based), tied scores sharing the mean rank of their group.
        double positiveRankSum = 0;
        for (int start = 0; start < n;)
        {
            int end = start;
            while (end < n && scores[order[end]] == scores[order[start]]) end++;
            double meanRank = (start + 1 + end) / 2.0;
            for (int k = start; k < end; k++) if (positive[order[k]]) positiveRankSum += meanRank;
            start = end;
        }
        double u = positiveRankSum - positives * (positives + 1) / 2.0;
        return u / ((double)positives * negatives);
    }

    /// <summary>
    /// Within-group AUROC: the mean over groups (one prompt's samples) that hold both a positive and a negative of the
    /// AUROC among that group's members; NaN when no group is mixed. It asks whether a score ranks the answers to one
    /// prompt, the comparison a group-relative update or a best-of-N selection makes, not whether it ranks prompts.
    /// </summary>
    public static (double Mean, int MixedGroups) WithinGroups(IEnumerable<(IReadOnlyList<double> Scores, IReadOnlyList<bool> Positive)> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        double sum = 0;
        int mixed = 0;
        foreach (var (scores, positive) in groups)
        {
            double auroc = Compute(scores, positive);
            if (double.IsNaN(auroc)) continue;
            sum += auroc;
            mixed++;
        }
        return (mixed > 0 ? sum / mixed : double.NaN, mixed);
    }
}
