// The run's metrics output: the self-correction and sample-judge tables appear after the main table only for campaigns
// that measured them, with Acc@t1, Acc@t2, Δ and its two halves per iteration and difficulty.
using Pipeline.Cli.Commands;
using Pipeline.Contracts;
using Pipeline.Stages.Orchestration;

namespace Pipeline.Cli.Tests.Commands;

public sealed class CampaignOutputTests
{
    static DifficultyMetrics Metrics(string difficulty) => new(difficulty, 200, 0.3, 0.35, 0.2, 9.0, 0.6, 30, 0.58);

    static CampaignState State(params DifficultyMetrics[] perIteration)
    {
        var state = new CampaignState { CampaignId = "c", Recipe = "score", Iterations = perIteration.Length - 1 };
        for (int n = 0; n < perIteration.Length; n++) state.Iteration(n).Evaluation = [perIteration[n]];
        return state;
    }

    [Fact]
    public void WriteMetrics_SelfCorrectionMeasured_TableWithBothAttemptsAndTheChanges()
    {
        var state = State(
            Metrics("d2s3") with { SelfCorrection = new SelfCorrectionMetrics(0.30, 0.31, 0.01, 0.04, 0.03) },
            Metrics("d2s3") with { SelfCorrection = new SelfCorrectionMetrics(0.35, 0.42, 0.07, 0.09, 0.02) });
        var output = new StringWriter();

        CampaignOutput.WriteMetrics(output, state, samples: 4);

        string text = output.ToString();
        Assert.Contains("Acc@t1", text, StringComparison.Ordinal);
        Assert.Contains("Δ(i→c)", text, StringComparison.Ordinal);
        Assert.Contains("+0.070", text, StringComparison.Ordinal);
        Assert.Contains("0.420", text, StringComparison.Ordinal);
        Assert.DoesNotContain("judge acc. on samples", text, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteMetrics_NeitherMeasured_OnlyTheMainTable()
    {
        var output = new StringWriter();

        CampaignOutput.WriteMetrics(output, State(Metrics("d2s3"), Metrics("d2s3")), samples: 4);

        Assert.DoesNotContain("Acc@t1", output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("judge acc. on samples", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void WriteMetrics_SampleJudgeMeasured_AccuracyAndAurocPerIteration()
    {
        var output = new StringWriter();

        CampaignOutput.WriteMetrics(output, State(Metrics("d2s3") with { SampleJudgeAccuracy = 0.61, SampleJudgeAuroc = 0.55 }), samples: 4);

        Assert.Contains("judge acc. on samples", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("0.610", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("0.550", output.ToString(), StringComparison.Ordinal);
    }
}
