// The token strip: a row's per-token statistics drawn along its tokens, and the mapping from a stored rollout to it.
using Pipeline.Contracts;
using Pipeline.Dashboard.Data;
using Pipeline.Dashboard.Rendering;
using Pipeline.Learning.Tasks;

namespace Pipeline.Dashboard.Tests;

public sealed class RenderingTests
{
    static readonly Rollout Sample = Pipeline.Testing.TestRollouts.Create("p1", "2+3=", 0, "2+3=5", new Dictionary<string, double> { ["votes"] = 1 },
        answer: "5", logProb: -0.5f, entropy: 0.8f, selfCertainty: 1.2f);

    [Fact]
    public void RolloutTable_RowWithTokenStatistics_DrawsEveryTokenWithItsFiguresAndTheColourPicker()
    {
        var tokens = new TokenView([
            new TokenCell("5", -0.1, 0.3, 1.4, 0.9, 0.05),
            new TokenCell("<", -2.5, 1.9, 0.2, 0.4, 0.35),
            new TokenCell("\n", null, null, null, null, null),
        ]);

        var html = RolloutTable.Render([new RolloutRow(0, Sample, "5", true, tokens)], "t");

        Assert.Contains("<select data-token-colour-for=\"t\">", html);
        Assert.Contains("<details><summary><code>2+3=5</code></summary><div class=\"tokens\">", html);
        Assert.Contains("<span class=\"token\" data-logprob=\"-0.1\" data-sc=\"1.4\" data-entropy=\"0.3\" data-top1=\"0.9\" data-top2=\"0.05\"", html);
        Assert.Contains("title=\"log-prob -2.500, self-certainty 0.200, entropy 1.900, top-1 0.400, top-2 0.350\">&lt;</span>", html);
        Assert.Contains("<span class=\"token\" title=\"\">⏎</span>", html);
    }

    [Fact]
    public void From_StoredRollout_OneCellPerSampledTokenWithTheSamplersStatistics()
    {
        var encoding = TaskEncoding.ForTask(TaskRegistry.Get("arith"));
        var stored = Sample with { Tokens = Sample.Tokens with { Ids = encoding.Response("2+3=5") } };

        var view = TokenViews.From(stored, encoding);

        Assert.NotNull(view);
        Assert.Equal(["2", "+", "3", "=", "5", "⏎"], view.Tokens.Select(t => t.Text));
        Assert.All(view.Tokens, t => Assert.Equal((-0.5f, 0.8f, 1.2f), ((float)t.LogProb!.Value, (float)t.Entropy!.Value, (float)t.SelfCertainty!.Value)));
    }

    [Fact]
    public void From_WithoutTheTokenizer_CharacterTokensStillShowTheirText()
    {
        var view = TokenViews.From(Sample);

        Assert.Equal(["2", "+", "3", "=", "5", "⏎"], view!.Tokens.Select(t => t.Text));
    }
}
