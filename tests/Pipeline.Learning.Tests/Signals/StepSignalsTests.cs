// Checks the step-result minimum confidence (which tokens it reads) and per-token-type normalised self-certainty.
using Pipeline.Engine.Sampling;
using Pipeline.Learning.Signals;

namespace Pipeline.Learning.Tests.Signals;

public class StepSignalsTests
{
    private static TokenStatistics Stat(double prob, double sc = 0) => new((float)Math.Log(prob), 0, (float)sc, (float)prob, 0);

    [Fact]
    public void MinStepResultProbability_ReadsResultDigitsAndStopDecisions_NotOperands()
    {
        string[] texts = ["1", "2", "+", "3", "=", "1", "5", ";", "#", "#", "#", "#", " ", "1", "5", ""];
        // Operand "1" is unlikely (0.1) but ignored; result digits 0.9 and 0.6, the token after ';' 0.7; answer span ignored.
        double[] probs = [0.1, 0.2, 1, 0.3, 1, 0.9, 0.6, 1, 0.7, 1, 1, 1, 1, 0.05, 0.05, 1];

        double min = StepSignals.MinStepResultProbability(texts, probs.Select(p => Stat(p)).ToList());

        Assert.Equal(0.6, min, 6);
    }

    [Fact]
    public void MinStepResultProbability_StopDecisionAfterLastStep_IsRead()
    {
        string[] texts = ["4", "=", "8", ";", "#"];
        double[] probs = [1, 1, 0.95, 1, 0.55];

        Assert.Equal(0.55, StepSignals.MinStepResultProbability(texts, probs.Select(p => Stat(p)).ToList()), 6);
    }

    [Fact]
    public void NormalizedSelfCertainty_RemovesTokenTypeLevels()
    {
        // Token 1 (like EOS) always scores ≈ 14, token 2 (a digit) ≈ 9; a response's normalised value is the mean z-score.
        var reference = new List<(IReadOnlyList<int>, IReadOnlyList<TokenStatistics>)>
        {
            ([1, 2], [Stat(1, 14), Stat(1, 9)]),
            ([1, 2], [Stat(1, 16), Stat(1, 11)]),
        };

        var moments = StepSignals.TokenTypeMoments(reference);

        Assert.Equal(15, moments[1].Mean, 5);
        Assert.Equal(Math.Sqrt(2), moments[1].Std, 5);
        // A short response of one EOS at its mean scores 0; a digit one σ above its mean scores 1.
        Assert.Equal(0, StepSignals.NormalizedSelfCertainty([1], [Stat(1, 15)], moments), 5);
        Assert.Equal(1, StepSignals.NormalizedSelfCertainty([2], [Stat(1, 10 + Math.Sqrt(2))], moments), 5);
    }
}
