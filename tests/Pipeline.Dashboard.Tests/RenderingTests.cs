// The pieces of rendering no stored campaign can show yet: the token strip of a rollout whose per-token statistics are
// stored (issue #11), and that a rollout without them shows its text only.
using Pipeline.Contracts;
using Pipeline.Dashboard.Data;
using Pipeline.Dashboard.Rendering;

namespace Pipeline.Dashboard.Tests;

public sealed class RenderingTests
{
    static readonly Rollout Sample = new("p1", "2+3=", 0, "2+3=5", 6, new TokenSummary(-0.5, 0.8, 1.2), "5", new Dictionary<string, double> { ["votes"] = 1 });

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
    public void RolloutTable_RowWithoutTokenStatistics_ShowsTheTextOnly()
    {
        var html = RolloutTable.Render([new RolloutRow(1, Sample, "6", false, TokenViews.From(Sample))], "t");

        Assert.Null(TokenViews.From(Sample));
        Assert.DoesNotContain("<details>", html);
        Assert.DoesNotContain("data-token-colour-for", html);
        Assert.Contains("<td class=\"response\"><code>2+3=5</code></td>", html);
        Assert.Contains("<td class=\"bad\" data-value=\"no\">✗</td>", html);
        Assert.Contains("<th class=\"num\">votes</th>", html);
    }
}
