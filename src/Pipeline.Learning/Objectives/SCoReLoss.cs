// SCoRe's two-stage objective (arXiv 2409.12917) over per-token log-probs of first attempts y1 and second attempts y2,
// as a policy gradient with group-normalised advantages (one group per prompt and attempt) and a k3 KL per attempt:
//   stage I:  y2 is rewarded r(y2); y1 gets no reward term, only a strong KL (β₂) that keeps it near the reference, so the
//             model learns to correct without first collapsing its first attempt onto its second;
//   stage II: y1 is rewarded r(y1), y2 gets r(y2) + α·(r(y2) − r(y1)) (SCoReRewards), both with a small KL (β₁).
// Each attempt is trained on its own reward: the bonus is not credited back to y1, which would pay a wrong first attempt.
namespace Pipeline.Learning.Objectives;

/// <summary>Which of SCoRe's two stages a step optimises.</summary>
public enum SCoReStage
{
    /// <summary>Stage I: reward the second attempt, hold the first near the reference with a strong KL.</summary>
    One = 1,

    /// <summary>Stage II: reward both attempts plus the improvement bonus, small KL on both.</summary>
    Two = 2,
}

/// <summary>SCoRe's coefficients.</summary>
/// <param name="Alpha">Stage II's bonus α on r(y2) − r(y1) (paper: about 10).</param>
/// <param name="FirstAttemptKlBeta">Stage I's strong KL coefficient β₂ on the first attempt (paper: about 0.1).</param>
/// <param name="KlBeta">The small KL coefficient β₁ on every other attempt (paper: about 0.01).</param>
/// <param name="ClipEpsilon">PPO clip range of the ratio to the sampling policy.</param>
/// <param name="AdvantageEpsilon">Added to a group's reward standard deviation before dividing.</param>
public sealed record SCoReOptions(
    double Alpha = SCoReRewards.DefaultAlpha,
    double FirstAttemptKlBeta = 0.1,
    double KlBeta = 0.01,
    double ClipEpsilon = 0.2,
    double AdvantageEpsilon = 1e-4);

/// <summary>One prompt's attempts: per sample its first and its second attempt, aligned by index.</summary>
/// <param name="FirstRewards">The verifier's r(y1) per sample.</param>
/// <param name="SecondRewards">The verifier's r(y2) per sample.</param>
/// <param name="FirstAttempts">Log-probs of the first attempts (current, sampling policy, reference).</param>
/// <param name="SecondAttempts">Log-probs of the second attempts.</param>
public sealed record SCoReGroup(IReadOnlyList<double> FirstRewards, IReadOnlyList<double> SecondRewards,
    IReadOnlyList<GrpoSequence> FirstAttempts, IReadOnlyList<GrpoSequence> SecondAttempts);

/// <summary>The loss and per-token gradients of a SCoRe step.</summary>
/// <param name="Loss">Mean over every attempt of the attempt's mean token loss.</param>
/// <param name="FirstGradients">∂Loss/∂logp per first-attempt token, groups concatenated in order.</param>
/// <param name="SecondGradients">∂Loss/∂logp per second-attempt token.</param>
/// <param name="FirstAdvantages">The first attempts' advantages.</param>
/// <param name="SecondAdvantages">The second attempts' advantages.</param>
/// <param name="FirstKl">Mean k3 KL per first-attempt token.</param>
/// <param name="SecondKl">Mean k3 KL per second-attempt token.</param>
public sealed record SCoReResult(double Loss, float[][] FirstGradients, float[][] SecondGradients, double[] FirstAdvantages,
    double[] SecondAdvantages, double FirstKl, double SecondKl);

/// <summary>SCoRe's per-token loss.</summary>
public static class SCoReLoss
{
    /// <summary>The KL coefficients (first attempt, second attempt) of <paramref name="stage"/>: (β₂, β₁) in stage I, (β₁, β₁) in stage II.</summary>
    public static (double First, double Second) KlBetas(SCoReStage stage, SCoReOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return stage == SCoReStage.One ? (options.FirstAttemptKlBeta, options.KlBeta) : (options.KlBeta, options.KlBeta);
    }

    /// <summary>The rewards each attempt is trained on in <paramref name="stage"/>, from the verifier's r(y1) and r(y2).</summary>
    public static (double[] First, double[] Second) Rewards(SCoReStage stage, IReadOnlyList<double> firstRewards, IReadOnlyList<double> secondRewards,
        double alpha)
    {
        ArgumentNullException.ThrowIfNull(firstRewards);
        ArgumentNullException.ThrowIfNull(secondRewards);
        if (firstRewards.Count != secondRewards.Count) throw new ArgumentException("Every first attempt needs its second attempt.", nameof(secondRewards));
        var first = new double[firstRewards.Count];
        var second = new double[firstRewards.Count];
        for (int i = 0; i < first.Length; i++)
            (first[i], second[i]) = stage == SCoReStage.One
                ? SCoReRewards.StageOne(firstRewards[i], secondRewards[i])
                : SCoReRewards.StageTwo(firstRewards[i], secondRewards[i], alpha);
        return (first, second);
    }

    /// <summary>
    /// The stage's loss: the PPO-clip surrogate with each attempt's advantage (normalised within its prompt and attempt)
    /// plus the attempt's KL coefficient times k3 to the reference, each attempt's tokens averaged, then the mean over all
    /// attempts. In stage I the first attempts' rewards are all 0, so their advantages are 0 and only the KL term trains them.
    /// </summary>
    public static SCoReResult Compute(IReadOnlyList<SCoReGroup> groups, SCoReStage stage, SCoReOptions options)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(options);
        if (groups.Count == 0) throw new ArgumentException("A SCoRe step needs at least one group.", nameof(groups));
        var firstGroups = new List<GrpoGroup>(groups.Count);
        var secondGroups = new List<GrpoGroup>(groups.Count);
        foreach (var g in groups)
        {
            if (g.FirstAttempts.Count != g.FirstRewards.Count || g.SecondAttempts.Count != g.SecondRewards.Count || g.FirstAttempts.Count != g.SecondAttempts.Count)
                throw new ArgumentException("A group needs one reward per attempt and one second attempt per first attempt.", nameof(groups));
            var (first, second) = Rewards(stage, g.FirstRewards, g.SecondRewards, options.Alpha);
            firstGroups.Add(new GrpoGroup(first, g.FirstAttempts));
            secondGroups.Add(new GrpoGroup(second, g.SecondAttempts));
        }
        var (firstBeta, secondBeta) = KlBetas(stage, options);
        var firstResult = GrpoLoss.Compute(firstGroups, new GrpoOptions(options.ClipEpsilon, firstBeta, options.AdvantageEpsilon, TokenAveraging.SequenceMean));
        var secondResult = GrpoLoss.Compute(secondGroups, new GrpoOptions(options.ClipEpsilon, secondBeta, options.AdvantageEpsilon, TokenAveraging.SequenceMean));
        // Each part is a mean over its own attempts; weigh them by their counts so the whole is the mean over all attempts.
        int firstCount = firstResult.Gradients.Length, secondCount = secondResult.Gradients.Length;
        double firstShare = (double)firstCount / (firstCount + secondCount), secondShare = 1 - firstShare;
        return new SCoReResult(
            firstShare * firstResult.Loss + secondShare * secondResult.Loss,
            Scaled(firstResult.Gradients, firstShare),
            Scaled(secondResult.Gradients, secondShare),
            firstResult.Advantages,
            secondResult.Advantages,
            firstResult.MeanKl,
            secondResult.MeanKl);
    }

    private static float[][] Scaled(float[][] gradients, double share)
    {
        foreach (var row in gradients)
            for (int t = 0; t < row.Length; t++) row[t] = (float)(row[t] * share);
        return gradients;
    }
}
