// RLSF pairs: every ordered pair (i, j) of one prompt's traces with conf_i > conf_j and conf_i ≥ threshold.
namespace Pipeline.Learning.Pairs;

/// <summary>Preference pairs from answer-span confidences (RLSF).</summary>
public static class RlsfPairs
{
    /// <summary>RLSF's default confidence threshold for the chosen trace.</summary>
    public const double DefaultThreshold = 0.9;

    /// <summary>
    /// For each group of confidences, every (i, j) with conf_i &gt; conf_j and conf_i ≥ <paramref name="threshold"/>;
    /// pairs come in order of i, then j.
    /// </summary>
    public static PairBatch Build(IReadOnlyList<IReadOnlyList<double>> confidences, double threshold = DefaultThreshold)
    {
        var pairs = new List<PreferencePair>();
        int withoutPair = 0, ties = 0;
        for (int g = 0; g < confidences.Count; g++)
        {
            var conf = confidences[g];
            int before = pairs.Count;
            for (int i = 0; i < conf.Count; i++)
            {
                if (!(conf[i] >= threshold)) continue;
                for (int j = 0; j < conf.Count; j++)
                {
                    if (conf[i] > conf[j]) pairs.Add(new PreferencePair(g, i, j, conf[i], conf[j]));
                    else if (j > i && conf[i] == conf[j]) ties++;
                }
            }
            if (pairs.Count == before) withoutPair++;
        }
        return new PairBatch(pairs, withoutPair, ties, 0);
    }

    /// <summary>
    /// The paper's margin exp(conf_c − conf_r), as an optional DPO pair weight (the authors' DPO path does not weight pairs).
    /// </summary>
    public static double MarginWeight(PreferencePair pair)
    {
        ArgumentNullException.ThrowIfNull(pair);
        return Math.Exp(pair.ScoreGap);
    }
}
