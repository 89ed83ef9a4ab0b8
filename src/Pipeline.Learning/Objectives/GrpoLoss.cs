// GRPO: group-normalised advantages, the PPO-clip surrogate per token, and a k3 KL penalty to the reference.
namespace Pipeline.Learning.Objectives;

/// <summary>Group Relative Policy Optimization over per-token log-probs.</summary>
public static class GrpoLoss
{
    /// <summary>
    /// A_i = (u_i − mean u) / (std u + ε) with the population standard deviation (divide by G), so a group of one, or
    /// a group whose rewards are all equal, has zero advantages.
    /// </summary>
    public static double[] Advantages(IReadOnlyList<double> rewards, double epsilon = 1e-4)
    {
        if (rewards.Count == 0) return [];
        double mean = rewards.Average();
        double variance = rewards.Sum(u => (u - mean) * (u - mean)) / rewards.Count;
        double std = Math.Sqrt(variance);
        return rewards.Select(u => (u - mean) / (std + epsilon)).ToArray();
    }

    /// <summary>
    /// Per token l = −min(r·A, clip(r, 1 − ε, 1 + ε)·A) + β·k3 with r = exp(logp − logp_old) and
    /// k3 = exp(ref − logp) − (ref − logp) − 1, averaged as <see cref="GrpoOptions.Averaging"/> says over all responses
    /// of all groups. ∂l/∂logp = −r·A where the unclipped term is active (0 where the clipped one is) + β(1 − exp(ref − logp)).
    /// </summary>
    public static GrpoResult Compute(IReadOnlyList<GrpoGroup> groups, GrpoOptions options)
    {
        var sequences = new List<GrpoSequence>();
        var advantages = new List<double>();
        foreach (var g in groups)
        {
            if (g.Rewards.Count != g.Sequences.Count) throw new ArgumentException("A group needs one reward per response.", nameof(groups));
            advantages.AddRange(Advantages(g.Rewards, options.AdvantageEpsilon));
            sequences.AddRange(g.Sequences);
        }
        var weights = TokenLoss.TokenWeights(sequences.Select(s => s.LogProbs.Length).ToList(), options.Averaging);

        double loss = 0, kl = 0;
        long clipped = 0, tokens = 0;
        var gradients = new float[sequences.Count][];
        for (int s = 0; s < sequences.Count; s++)
        {
            var seq = sequences[s];
            int n = seq.LogProbs.Length;
            if (seq.OldLogProbs is { } old && old.Length != n || seq.ReferenceLogProbs is { } rf && rf.Length != n)
                throw new ArgumentException($"Response {s}'s log-prob arrays differ in length.", nameof(groups));
            if (seq.ReferenceLogProbs is null && options.KlBeta != 0)
                throw new ArgumentException($"Response {s} has no reference log-probs but β ≠ 0.", nameof(groups));
            double a = advantages[s];
            gradients[s] = new float[n];
            for (int t = 0; t < n; t++)
            {
                double logp = seq.LogProbs[t];
                double ratio = seq.OldLogProbs is { } o ? Math.Exp(logp - o[t]) : 1.0;
                double clippedRatio = Math.Clamp(ratio, 1 - options.ClipEpsilon, 1 + options.ClipEpsilon);
                double unclippedTerm = ratio * a, clippedTerm = clippedRatio * a;
                bool clipActive = clippedTerm < unclippedTerm;
                double tokenLoss = -Math.Min(unclippedTerm, clippedTerm);
                double grad = clipActive ? 0 : -ratio * a;
                if (clipActive) clipped++;

                if (seq.ReferenceLogProbs is { } reference)
                {
                    double d = reference[t] - logp;
                    double k3 = Math.Exp(d) - d - 1;
                    kl += k3;
                    tokenLoss += options.KlBeta * k3;
                    grad += options.KlBeta * (1 - Math.Exp(d));
                }
                loss += weights[s] * tokenLoss;
                gradients[s][t] = (float)(weights[s] * grad);
                tokens++;
            }
        }
        return new GrpoResult(loss, gradients, [.. advantages], (double)clipped / tokens, kl / tokens);
    }
}
