// Checks the comparison table on constructed evaluations: the change per problem averaged over seeds with its bootstrap
// interval, McNemar's counts against the gold recipe paired per seed, the levels averaged over seeds, and the Markdown.
using Pipeline.Learning.Evaluation;
using Pipeline.Stages.Reporting;

namespace Pipeline.Stages.Tests.Reporting;

public sealed class RecipeComparisonTests
{
    private static DifficultyReport Report(bool[] greedy, double passAtOne = 0.5, double length = 20) =>
        new("d2s3", greedy.Length, greedy.Average(g => g ? 1.0 : 0.0), 0, 4, 0.5, 0.1, 0.2, 0.6, 0.6, 0.55, 1, 10, 9, length, 0, double.NaN)
        {
            PassAtOne = passAtOne,
            Outcomes = new ProblemOutcomes(greedy, greedy.Select(g => g ? 4 : 0).ToList(), greedy),
        };

    private static readonly bool[] Base = [true, false, false, false];

    private static ComparedCampaign Campaign(string recipe, int seed, bool[] after, double length = 20) =>
        new(recipe, seed, $"cmp-{recipe}-s{seed}", [Report(Base)], [Report(after, length: length)], 0);

    [Fact]
    public void Build_ChangeAveragedOverSeeds_McNemarPairedPerSeed()
    {
        var table = RecipeComparison.Build(
        [
            Campaign("grpo-gold", 1, [true, true, true, false]),
            Campaign("grpo-gold", 2, [true, true, false, false]),
            Campaign("intuitor", 1, [true, false, false, false], length: 10),
            Campaign("intuitor", 2, [false, false, false, false], length: 12),
        ]);

        Assert.Equal(["base", "grpo-gold", "intuitor"], table.Rows.Select(r => r.Recipe));
        var gold = table.Rows[1];
        // Per problem, the change averaged over the two seeds: 0, 1, ½, 0 → mean 0.375.
        Assert.Equal(0.375, gold.Change!.Estimate, 12);
        Assert.Equal(0.25, gold.BaseGreedy, 12);
        Assert.Equal(0.625, gold.Greedy, 12);
        Assert.Null(gold.VersusGold);
        var intuitor = table.Rows[2];
        // Changes 0 and −1 on problem 0: −½ there, 0 elsewhere → −0.125.
        Assert.Equal(-0.125, intuitor.Change!.Estimate, 12);
        Assert.True(intuitor.Change.Lower <= -0.125 && intuitor.Change.Upper >= -0.125);
        // Seed 1: intuitor only — none; gold only — problems 1 and 2. Seed 2: gold only — problems 0 and 1.
        Assert.Equal(0, intuitor.VersusGold!.OnlyFirst);
        Assert.Equal(4, intuitor.VersusGold.OnlySecond);
        Assert.Equal(2.0 / 16, intuitor.VersusGold.ExactP, 12);
        Assert.Equal(11, intuitor.MeanResponseTokens, 12);
        Assert.Equal(2, intuitor.Seeds);

        string markdown = table.ToMarkdown();
        Assert.Contains("| `intuitor` | d2s3 | 4 × 2 | 0.250 → 0.125 | -0.125 [", markdown);
        Assert.Contains("| 0/4, p = 0.125 |", markdown);
    }

    [Fact]
    public void Build_ReportWithoutOutcomes_SaysToRunAgain()
    {
        var old = new ComparedCampaign("intuitor", 1, "cmp-old", [Report(Base) with { Outcomes = null }], [Report(Base)], 0);

        var e = Assert.Throws<InvalidDataException>(() => RecipeComparison.Build([old]));

        Assert.Contains("cmp-old", e.Message);
        Assert.Contains("per-problem outcomes", e.Message);
    }
}
