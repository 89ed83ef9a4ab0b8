// Checks the offline signal gates on constructed samples: within-prompt AUROC, best-of-N lift, voting selectors, pair
// precision and yield, and the pass rule.
using Pipeline.Learning.Evaluation;

namespace Pipeline.Learning.Tests.Evaluation;

public class SignalGatesTests
{
    private static GateSample Sample(string? answer, bool correct, double good, double bad, double sc) =>
        new(answer, correct, new Dictionary<string, double> { ["good"] = good, ["bad"] = bad, ["self_certainty"] = sc, ["answer_confidence"] = good });

    // Prompt 0: greedy wrong; right answer "5" (good ranks it first, bad last). Prompt 1: greedy right, all samples right.
    // Prompt 2: greedy wrong; samples all wrong.
    private static readonly GatePrompt[] Prompts =
    [
        new(false, [Sample("5", true, 0.95, 0.1, 3), Sample("6", false, 0.5, 0.9, 1), Sample("6", false, 0.4, 0.8, 2)]),
        new(true, [Sample("7", true, 0.9, 0.5, 1), Sample("7", true, 0.8, 0.5, 1), Sample("7", true, 0.7, 0.5, 1)]),
        new(false, [Sample("1", false, 0.2, 0.3, 1), Sample(null, false, 0.1, 0.2, 1), Sample("2", false, 0.3, 0.1, 1)]),
    ];

    [Fact]
    public void Compute_GoodSignal_PerfectWithinPrompt_PositiveLift_Passes()
    {
        var report = SignalGates.Compute(Prompts);

        Assert.Equal(3, report.Prompts);
        Assert.Equal(1 / 3.0, report.GreedyAccuracy, 12);
        Assert.Equal((1 / 3.0 + 1 + 0) / 3, report.PassAtOne, 12);
        Assert.Equal(1, report.MixedPrompts);
        var good = report.Signals.Single(s => s.Signal == "good");
        Assert.Equal(1, good.WithinPromptAuroc, 12);
        // Best-of-N by "good" is right on prompts 0 and 1: 2/3, lift 1/3.
        Assert.Equal(2 / 3.0, good.BestOfNAccuracy, 12);
        Assert.Equal(1 / 3.0, good.Lift, 12);
        Assert.True(good.Passes);
    }

    [Fact]
    public void Compute_InvertedSignal_ZeroWithinPrompt_Fails()
    {
        var bad = SignalGates.Compute(Prompts).Signals.Single(s => s.Signal == "bad");

        Assert.Equal(0, bad.WithinPromptAuroc, 12);
        Assert.Equal(1 / 3.0, bad.BestOfNAccuracy, 12);
        Assert.False(bad.Passes);
    }

    [Fact]
    public void Compute_Selectors_MajorityWrongWhereBordaHighPowerRight()
    {
        var report = SignalGates.Compute(Prompts);

        // Prompt 0: "6" has two votes; SC ranks "5" first (3 votes^p), then the "6"s (2^p and 1).
        Assert.Equal(1 / 3.0, report.Selectors.Single(s => s.Selector == "majority").Accuracy, 12);
        Assert.Equal(1 / 3.0, report.Selectors.Single(s => s.Selector == "sc-borda p=0.3").Accuracy, 12);
        Assert.Equal(2 / 3.0, report.Selectors.Single(s => s.Selector == "sc-borda p=1.2").Accuracy, 12);
    }

    [Fact]
    public void Compute_PairBuilders_PrecisionAndYield()
    {
        var report = SignalGates.Compute(Prompts, rlsfThreshold: 0.9);

        // Best-vs-worst by "good": prompt 0 (right vs wrong), 1 (right vs right), 2 (wrong vs wrong): 1 of 3 precise.
        var best = report.PairBuilders.Single(p => p.Builder == "best-vs-worst by good");
        Assert.Equal(3, best.Pairs);
        Assert.Equal(1 / 3.0, best.Precision, 12);
        Assert.Equal(1, best.Yield, 12);
        // RLSF at 0.9: prompt 0's 0.95 over both others (2 precise pairs), prompt 1's 0.9 over 0.8 and 0.7 (imprecise).
        var rlsf = report.PairBuilders.Single(p => p.Builder.StartsWith("rlsf", StringComparison.Ordinal));
        Assert.Equal(4, rlsf.Pairs);
        Assert.Equal(0.5, rlsf.Precision, 12);
        Assert.Equal(2 / 3.0, rlsf.Yield, 12);
    }
}
