// Offline gates for a recipe's signal, computed from N samples per validation prompt in seconds, before any campaign:
// - within-prompt AUROC against correctness (does the signal rank one prompt's answers, the comparison GRPO and pair
//   building make?), and pooled AUROC;
// - best-of-N lift: accuracy of picking each prompt's highest-scored sample, minus greedy accuracy;
// - voting selectors (majority, self-certainty Borda at p = 0.3 and 1.2) and their lift;
// - for each pair builder: pair precision (chosen right and rejected wrong) and yield (share of prompts with a pair).
// Pre-registered reading (issue 12): a recipe is predicted to gain only where within-prompt AUROC ≥ 0.65 and lift > 0.
using Pipeline.Learning.Pairs;
using Pipeline.Learning.Signals;

namespace Pipeline.Learning.Evaluation;

/// <summary>One sample of a validation prompt: its answer, whether it is right, and each signal's score (higher = more confident).</summary>
public sealed record GateSample(string? Answer, bool Correct, IReadOnlyDictionary<string, double> Scores, int Length = 0);

/// <summary>One validation prompt: whether the greedy answer is right, and the N samples.</summary>
public sealed record GatePrompt(bool GreedyCorrect, IReadOnlyList<GateSample> Samples);

/// <summary>A signal's gate figures.</summary>
/// <param name="Signal">Score name.</param>
/// <param name="WithinPromptAuroc">Mean within-prompt AUROC over mixed prompts.</param>
/// <param name="PooledAuroc">AUROC over all samples pooled.</param>
/// <param name="BestOfNAccuracy">Accuracy of each prompt's highest-scored sample (ties: the first).</param>
/// <param name="Lift">BestOfNAccuracy − greedy accuracy.</param>
/// <param name="Passes">Within-prompt AUROC ≥ the gate threshold and lift &gt; 0.</param>
public sealed record SignalGate(string Signal, double WithinPromptAuroc, double PooledAuroc, double BestOfNAccuracy, double Lift, bool Passes);

/// <summary>A voting selector's accuracy and lift over greedy.</summary>
public sealed record SelectorGate(string Selector, double Accuracy, double Lift);

/// <summary>A pair builder's figures.</summary>
/// <param name="Builder">Name: which signal and rule.</param>
/// <param name="Pairs">Pairs built.</param>
/// <param name="Precision">Share of pairs whose chosen sample is right and rejected sample wrong (NaN without pairs).</param>
/// <param name="Yield">Share of prompts with at least one pair.</param>
public sealed record PairGate(string Builder, int Pairs, double Precision, double Yield);

/// <summary>Every gate over one set of prompts.</summary>
public sealed record SignalGateReport(int Prompts, int SamplesPerPrompt, double GreedyAccuracy, double PassAtOne, int MixedPrompts,
    IReadOnlyList<SignalGate> Signals, IReadOnlyList<SelectorGate> Selectors, IReadOnlyList<PairGate> PairBuilders);

/// <summary>Computes <see cref="SignalGateReport"/>s.</summary>
public static class SignalGates
{
    /// <summary>The pre-registered within-prompt AUROC threshold.</summary>
    public const double AurocThreshold = 0.65;

    /// <summary>Score name of self-certainty, which the Borda selectors read.</summary>
    public const string SelfCertainty = "self_certainty";

    /// <summary>
    /// The gates of <paramref name="prompts"/> for every score name the samples carry. <paramref name="rlsfSignal"/> with
    /// <paramref name="rlsfThreshold"/> builds RLSF's pairs; every signal also gets a best-vs-worst builder (self-rewarding's rule).
    /// </summary>
    public static SignalGateReport Compute(IReadOnlyList<GatePrompt> prompts, string rlsfSignal = "answer_confidence", double rlsfThreshold = RlsfPairs.DefaultThreshold)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        if (prompts.Count == 0) throw new ArgumentException("No prompts to gate on.", nameof(prompts));
        double greedy = prompts.Average(p => p.GreedyCorrect ? 1.0 : 0.0);
        double passAtOne = prompts.Average(p => p.Samples.Count == 0 ? 0 : p.Samples.Average(s => s.Correct ? 1.0 : 0.0));
        int mixed = prompts.Count(p => p.Samples.Any(s => s.Correct) && p.Samples.Any(s => !s.Correct));
        var names = prompts.SelectMany(p => p.Samples).SelectMany(s => s.Scores.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

        var signals = new List<SignalGate>();
        var pairs = new List<PairGate>();
        foreach (var name in names)
        {
            var (within, _) = Auroc.WithinGroups(prompts.Select(p => (
                (IReadOnlyList<double>)p.Samples.Select(s => s.Scores[name]).ToList(),
                (IReadOnlyList<bool>)p.Samples.Select(s => s.Correct).ToList())));
            var all = prompts.SelectMany(p => p.Samples).ToList();
            double pooled = Auroc.Compute(all.Select(s => s.Scores[name]).ToList(), all.Select(s => s.Correct).ToList());
            double best = prompts.Average(p => BestOf(p.Samples, name) is { Correct: true } ? 1.0 : 0.0);
            double lift = best - greedy;
            signals.Add(new SignalGate(name, within, pooled, best, lift, within >= AurocThreshold && lift > 0));
            pairs.Add(PairFigures($"best-vs-worst by {name}", prompts,
                SelfRewardingPairs.Build(prompts.Select(p => (IReadOnlyList<JudgedCandidate>)p.Samples
                    .Select(s => new JudgedCandidate(s.Scores[name], s.Length)).ToList()).ToList())));
        }
        if (names.Contains(rlsfSignal))
            pairs.Add(PairFigures($"rlsf ({rlsfSignal} ≥ {rlsfThreshold:0.##})", prompts,
                RlsfPairs.Build(prompts.Select(p => (IReadOnlyList<double>)p.Samples.Select(s => s.Scores[rlsfSignal]).ToList()).ToList(), rlsfThreshold)));

        var selectors = new List<SelectorGate>
        {
            Selector("majority", prompts, greedy, p => AnswerVoting.Majority(p.Samples.Select(s => s.Answer).ToList()).Winner),
        };
        if (names.Contains(SelfCertainty))
        {
            foreach (var power in new[] { AnswerVoting.BordaLowPower, AnswerVoting.BordaHighPower })
                selectors.Add(Selector($"sc-borda p={power:0.0}", prompts, greedy, p => AnswerVoting.SelfCertaintyBorda(
                    p.Samples.Select(s => s.Answer).ToList(), p.Samples.Select(s => s.Scores[SelfCertainty]).ToList(), power).Winner));
        }
        return new SignalGateReport(prompts.Count, prompts.Max(p => p.Samples.Count), greedy, passAtOne, mixed, signals, selectors, pairs);
    }

    private static GateSample? BestOf(IReadOnlyList<GateSample> samples, string name)
    {
        GateSample? best = null;
        foreach (var s in samples)
            if (best is null || s.Scores[name] > best.Scores[name]) best = s;
        return best;
    }

    private static SelectorGate Selector(string name, IReadOnlyList<GatePrompt> prompts, double greedy, Func<GatePrompt, string?> pick)
    {
        // A selector is right when the answer it picks is one a right sample gave (the samples' answers are compared, not labels).
        double accuracy = prompts.Average(p => pick(p) is { } answer && p.Samples.Any(s => s.Correct && s.Answer == answer) ? 1.0 : 0.0);
        return new SelectorGate(name, accuracy, accuracy - greedy);
    }

    private static PairGate PairFigures(string name, IReadOnlyList<GatePrompt> prompts, PairBatch batch)
    {
        int precise = batch.Pairs.Count(p => prompts[p.Group].Samples[p.Chosen].Correct && !prompts[p.Group].Samples[p.Rejected].Correct);
        int withPair = batch.Pairs.Select(p => p.Group).Distinct().Count();
        return new PairGate(name, batch.Pairs.Count, batch.Pairs.Count == 0 ? double.NaN : (double)precise / batch.Pairs.Count,
            (double)withPair / prompts.Count);
    }
}
