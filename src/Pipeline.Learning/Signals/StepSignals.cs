// Two label-free response signals that look where an arithmetic chain's errors happen, for the offline gates:
// - the minimum chosen-token probability over every step's result digits (the tokens after each '=' up to ';' or '#')
//   and over each stop-or-continue decision (the token right after each ';'): at a branch point the wrong sample took a
//   less likely token, which a mean over ~40 tokens or the copied final answer hides;
// - self-certainty normalised per token type: each token's KL(U‖p) as a z-score against the mean and spread of that token
//   id over a reference set of samples, removing the composition and length bias (EOS ≈ 14, digits ≈ 9–10 nats).
using Pipeline.Engine.Sampling;

namespace Pipeline.Learning.Signals;

/// <summary>Step-result confidence and per-token-type normalised self-certainty.</summary>
public static class StepSignals
{
    /// <summary>
    /// The minimum chosen-token probability over the result tokens of every step and the token after every ';'.
    /// <paramref name="tokenTexts"/>[i] is the text of response token i (EOS as ""); 1 when no token qualifies.
    /// </summary>
    public static double MinStepResultProbability(IReadOnlyList<string> tokenTexts, IReadOnlyList<TokenStatistics> statistics)
    {
        ArgumentNullException.ThrowIfNull(tokenTexts);
        ArgumentNullException.ThrowIfNull(statistics);
        if (tokenTexts.Count != statistics.Count) throw new ArgumentException("One text per token statistic is needed.", nameof(tokenTexts));
        double min = 1;
        bool inResult = false, afterSeparator = false;
        for (int i = 0; i < tokenTexts.Count; i++)
        {
            string text = tokenTexts[i];
            bool decision = afterSeparator;
            afterSeparator = false;
            if (decision || inResult && text.Length > 0 && text.All(char.IsAsciiDigit))
                min = Math.Min(min, statistics[i].Prob);
            foreach (char c in text)
            {
                if (c == '=') inResult = true;
                else if (c is ';' or '#') inResult = false;
            }
            if (text.EndsWith(';')) afterSeparator = true;
        }
        return min;
    }

    /// <summary>
    /// Per token id, the mean and standard deviation of its self-certainty over <paramref name="responses"/> (ids and
    /// statistics aligned); ids seen once get standard deviation 1, so their z-score is just the centred value.
    /// </summary>
    public static IReadOnlyDictionary<int, (double Mean, double Std)> TokenTypeMoments(IEnumerable<(IReadOnlyList<int> Ids, IReadOnlyList<TokenStatistics> Statistics)> responses)
    {
        ArgumentNullException.ThrowIfNull(responses);
        var sums = new Dictionary<int, (double Sum, double Squares, int Count)>();
        foreach (var (ids, stats) in responses)
        {
            for (int t = 0; t < ids.Count; t++)
            {
                double v = stats[t].SelfCertainty;
                var (s, q, c) = sums.GetValueOrDefault(ids[t]);
                sums[ids[t]] = (s + v, q + v * v, c + 1);
            }
        }
        return sums.ToDictionary(kv => kv.Key, kv =>
        {
            var (s, q, c) = kv.Value;
            double mean = s / c;
            double variance = c > 1 ? Math.Max(0, (q - c * mean * mean) / (c - 1)) : 1;
            double std = Math.Sqrt(variance);
            return (mean, std > 1e-9 ? std : 1.0);
        });
    }

    /// <summary>The mean over the response's tokens of (SC_t − μ_id) / σ_id; ids without moments count as 0.</summary>
    public static double NormalizedSelfCertainty(IReadOnlyList<int> ids, IReadOnlyList<TokenStatistics> statistics,
        IReadOnlyDictionary<int, (double Mean, double Std)> moments)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(statistics);
        ArgumentNullException.ThrowIfNull(moments);
        if (ids.Count == 0) return 0;
        double sum = 0;
        for (int t = 0; t < ids.Count; t++)
            if (moments.TryGetValue(ids[t], out var m)) sum += (statistics[t].SelfCertainty - m.Mean) / m.Std;
        return sum / ids.Count;
    }
}
