// DPO (sigmoid loss) and IRPO (DPO plus the chosen response's length-normalised NLL) over per-token log-probs.
namespace Pipeline.Learning.Objectives;

/// <summary>DPO and IRPO.</summary>
public static class DpoLoss
{
    /// <summary>The usual DPO β.</summary>
    public const double DefaultBeta = 0.1;

    /// <summary>
    /// Mean over pairs of −log σ(h), h = β[(Σ logπ(y_w) − ref_w) − (Σ logπ(y_l) − ref_l)], plus
    /// <paramref name="nllWeight"/>·(−Σ logπ(y_w))/|y_w| (IRPO with α = 1; 0 is plain DPO).
    /// Per token: ∂/∂logπ(y_w,t) = (−β σ(−h) − α/|y_w|)/P and ∂/∂logπ(y_l,t) = β σ(−h)/P for P pairs.
    /// </summary>
    public static DpoResult Compute(IReadOnlyList<PreferenceLogProbs> pairs, double beta = DefaultBeta, double nllWeight = 0)
    {
        if (pairs.Count == 0) throw new ArgumentException("The batch holds no pair.", nameof(pairs));
        if (!(beta > 0)) throw new ArgumentOutOfRangeException(nameof(beta), beta, "β must be positive.");
        if (!(nllWeight >= 0)) throw new ArgumentOutOfRangeException(nameof(nllWeight), nllWeight, "α must be ≥ 0.");
        int count = pairs.Count;
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
            loss += Logistic.Softplus(-h) + nll;
            nllTerm += nll;
            chosenReward += rw;
            rejectedReward += rl;
            if (h > 0) correct++;

            double sigmoidNeg = Logistic.Sigmoid(-h);
            float gw = (float)((-beta * sigmoidNeg - nllWeight / p.Chosen.Length) / count);
            float gl = (float)(beta * sigmoidNeg / count);
            chosenGrads[k] = Enumerable.Repeat(gw, p.Chosen.Length).ToArray();
            rejectedGrads[k] = Enumerable.Repeat(gl, p.Rejected.Length).ToArray();
        }
        return new DpoResult(loss / count, chosenGrads, rejectedGrads, chosenReward / count, rejectedReward / count, correct / count, nllTerm / count);
    }

    private static double Sum(float[] values)
    {
        double s = 0;
        foreach (float v in values) s += v;
        return s;
    }
}
