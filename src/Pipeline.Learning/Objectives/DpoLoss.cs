// DPO (sigmoid loss) and IRPO (DPO plus the chosen response's length-normalised NLL) over per-token log-probs.
namespace Pipeline.Learning.Objectives;

/// <summary>DPO and IRPO.</summary>
public static class DpoLoss
{
    /// <summary>The usual DPO β.</summary>
    public const double DefaultBeta = 0.1;

    /// <summary>
    /// Weighted mean over pairs, Σ_i w_i l_i / Σ_i w_i, of l = −log σ(h), h = β[(Σ logπ(y_w) − ref_w) − (Σ logπ(y_l) − ref_l)],
    /// plus <paramref name="nllWeight"/>·(−Σ logπ(y_w))/|y_w| (IRPO with α = 1; 0 is plain DPO), w_i being
    /// <see cref="PreferenceLogProbs.Weight"/>. Normalising by Σ w rather than by the pair count means the weights only
    /// rescale pairs relative to each other: the loss stays on the scale of one pair's loss, so the learning rate keeps its
    /// meaning whatever the weights' magnitude (RLSF's margins exp(Δconf) lie in [1, e]). With every weight 1 it is the
    /// plain mean, bit for bit.
    /// Per token: ∂/∂logπ(y_w,t) = w(−β σ(−h) − α/|y_w|)/W and ∂/∂logπ(y_l,t) = w β σ(−h)/W for W = Σ w.
    /// The rewards and the accuracy stay plain means over pairs: they describe the pairs, not the objective.
    /// </summary>
    /// <exception cref="ArgumentException">The batch is empty, a response is empty, or a weight is not positive and finite.</exception>
    public static DpoResult Compute(IReadOnlyList<PreferenceLogProbs> pairs, double beta = DefaultBeta, double nllWeight = 0)
    {
        if (pairs.Count == 0) throw new ArgumentException("The batch holds no pair.", nameof(pairs));
        if (!(beta > 0)) throw new ArgumentOutOfRangeException(nameof(beta), beta, "β must be positive.");
        if (!(nllWeight >= 0)) throw new ArgumentOutOfRangeException(nameof(nllWeight), nllWeight, "α must be ≥ 0.");
        int count = pairs.Count;
        double totalWeight = TotalWeight(pairs.Select(p => p.Weight), nameof(pairs));
        double loss = 0, chosenReward = 0, rejectedReward = 0, correct = 0, nllTerm = 0;
        var chosenGrads = new float[count][];
        var rejectedGrads = new float[count][];
        for (int k = 0; k < count; k++)
        {
            var p = pairs[k];
            if (p.Chosen.Length == 0 || p.Rejected.Length == 0) throw new ArgumentException($"Pair {k} has an empty response.", nameof(pairs));
            double sumChosen = Sum(p.Chosen), sumRejected = Sum(p.Rejected);
            double rw = beta * (sumChosen - p.ReferenceChosen);
            double rl = beta * (sumRejected - p.ReferenceRejected);
            double h = rw - rl;
            double nll = nllWeight * -sumChosen / p.Chosen.Length;
            loss += p.Weight * (Logistic.Softplus(-h) + nll);
            nllTerm += p.Weight * nll;
            chosenReward += rw;
            rejectedReward += rl;
            if (h > 0) correct++;

            double sigmoidNeg = Logistic.Sigmoid(-h);
            float gw = (float)(p.Weight * (-beta * sigmoidNeg - nllWeight / p.Chosen.Length) / totalWeight);
            float gl = (float)(p.Weight * (beta * sigmoidNeg) / totalWeight);
            chosenGrads[k] = Enumerable.Repeat(gw, p.Chosen.Length).ToArray();
            rejectedGrads[k] = Enumerable.Repeat(gl, p.Rejected.Length).ToArray();
        }
        return new DpoResult(loss / totalWeight, chosenGrads, rejectedGrads, chosenReward / count, rejectedReward / count, correct / count,
            nllTerm / totalWeight);
    }

    /// <summary>
    /// Σ of the pairs' weights, each checked first: a zero, negative or non-finite weight would silently drop, flip or
    /// poison a pair's gradient, so it is refused before anything is computed.
    /// </summary>
    /// <exception cref="ArgumentException">A weight is not positive and finite.</exception>
    internal static double TotalWeight(IEnumerable<double> weights, string parameterName)
    {
        double total = 0;
        int k = 0;
        foreach (double w in weights)
        {
            if (!(w > 0 && double.IsFinite(w)))
                throw new ArgumentException($"Pair {k} has weight {w}; a pair's weight must be positive and finite.", parameterName);
            total += w;
            k++;
        }
        if (!double.IsFinite(total)) throw new ArgumentException($"The pairs' weights sum to {total}.", parameterName);
        return total;
    }

    private static double Sum(float[] values)
    {
        double s = 0;
        foreach (float v in values) s += v;
        return s;
    }
}
