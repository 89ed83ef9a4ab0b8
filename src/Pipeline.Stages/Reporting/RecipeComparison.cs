// The table `pipeline compare` writes: per recipe and held-out difficulty, the mean change of greedy accuracy over the
// base model with a paired bootstrap 95 % interval (problems resampled; each problem's change first averaged over the
// campaign seeds), McNemar's test against the gold baseline (greedy outcomes paired per seed and problem, pooled over
// seeds), and the levels after the last iteration: greedy accuracy, pass@1 at the sampling temperature, maj@k, ECE of
// the answer-span confidence, within-prompt self-certainty AUROC and mean response length, each averaged over seeds.
using System.Globalization;
using System.Text;
using Pipeline.Learning.Evaluation;
using Pipeline.Learning.Statistics;

namespace Pipeline.Stages.Reporting;

/// <summary>One finished campaign of a comparison: its recipe and seed, the base's and the final policy's reports.</summary>
/// <param name="Recipe">Recipe name.</param>
/// <param name="Seed">Campaign seed.</param>
/// <param name="CampaignId">Stored campaign.</param>
/// <param name="Base">Iteration 0's reports (the base model).</param>
/// <param name="Final">The last iteration's reports.</param>
/// <param name="WallSeconds">Wall time of the campaign's run (0 when reused from the store).</param>
public sealed record ComparedCampaign(string Recipe, int Seed, string CampaignId, IReadOnlyList<DifficultyReport> Base,
    IReadOnlyList<DifficultyReport> Final, double WallSeconds);

/// <summary>One row of the comparison: a recipe (or the base) on one difficulty.</summary>
public sealed record ComparisonRow(
    string Recipe,
    string Difficulty,
    int Problems,
    int Seeds,
    double BaseGreedy,
    double Greedy,
    ConfidenceInterval? Change,
    McNemarResult? VersusGold,
    double PassAtOne,
    double MajorityAccuracy,
    double AnswerConfidenceEce,
    double WithinPromptAuroc,
    double MeanResponseTokens);

/// <summary>The whole comparison.</summary>
public sealed record RecipeComparisonTable(string GoldRecipe, IReadOnlyList<ComparisonRow> Rows, IReadOnlyList<ComparedCampaign> Campaigns)
{
    /// <summary>The table as Markdown, with a legend.</summary>
    public string ToMarkdown()
    {
        static string F(double v) => double.IsNaN(v) ? "n/a" : v.ToString("0.000", CultureInfo.InvariantCulture);
        static string Signed(double v) => (v >= 0 ? "+" : "") + v.ToString("0.000", CultureInfo.InvariantCulture);
        var text = new StringBuilder();
        text.AppendLine("| recipe | difficulty | n × seeds | greedy: base → after | change [95 % CI] | McNemar vs " + GoldRecipe
            + " (b/c, p) | pass@1 | maj@k | ECE | SC AUROC in-prompt | length |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in Rows)
        {
            string change = r.Change is { } c ? $"{Signed(c.Estimate)} [{Signed(c.Lower)}, {Signed(c.Upper)}]" : "—";
            string mcnemar = r.VersusGold is { } m
                ? $"{m.OnlyFirst}/{m.OnlySecond}, p = {m.ExactP.ToString(m.ExactP < 0.001 ? "0.0e0" : "0.000", CultureInfo.InvariantCulture)}"
                : "—";
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| `{r.Recipe}` | {r.Difficulty} | {r.Problems} × {r.Seeds} | {F(r.BaseGreedy)} → {F(r.Greedy)} | {change} | {mcnemar} | {F(r.PassAtOne)} | {F(r.MajorityAccuracy)} | {F(r.AnswerConfidenceEce)} | {F(r.WithinPromptAuroc)} | {r.MeanResponseTokens:0.0} |"));
        }
        text.AppendLine();
        text.AppendLine("change: mean over problems of the greedy-accuracy change from the base (each problem's change averaged over the seeds), "
            + "with a paired percentile bootstrap 95 % interval over problems; McNemar: greedy outcomes of the recipe vs " + GoldRecipe
            + " paired per seed and problem, b = solved by the recipe only, c = by " + GoldRecipe + " only, exact two-sided p; pass@1 at the "
            + "evaluation's sampling temperature; ECE of the greedy answer-span confidence; levels after the last iteration, averaged over seeds.");
        return text.ToString();
    }
}

/// <summary>Builds <see cref="RecipeComparisonTable"/>s.</summary>
public static class RecipeComparison
{
    /// <summary>Seed of the bootstrap stream, fixed so the same campaigns give the same table.</summary>
    public const ulong BootstrapSeed = 20261207;

    /// <summary>
    /// Rows per recipe (in the order first seen) and difficulty, after one base row per difficulty; McNemar against
    /// <paramref name="goldRecipe"/> where its campaign of the same seed exists. Every report needs its per-problem outcomes.
    /// </summary>
    public static RecipeComparisonTable Build(IReadOnlyList<ComparedCampaign> campaigns, string goldRecipe = "grpo-gold")
    {
        ArgumentNullException.ThrowIfNull(campaigns);
        if (campaigns.Count == 0) throw new ArgumentException("No campaign to compare.", nameof(campaigns));
        var rows = new List<ComparisonRow>();
        var difficulties = campaigns[0].Base.Select(r => r.Difficulty).ToList();
        foreach (var difficulty in difficulties)
        {
            var bases = campaigns.Select(c => Report(c.Base, difficulty, c)).ToList();
            rows.Add(new ComparisonRow("base", difficulty, bases[0].Problems, campaigns.Select(c => c.Seed).Distinct().Count(), bases[0].GreedyAccuracy,
                bases[0].GreedyAccuracy, null, null, bases.Average(b => b.PassAtOne), bases.Average(b => b.MajorityAccuracy),
                bases.Average(b => b.AnswerConfidenceEce), NanMean(bases.Select(b => b.WithinPromptSelfCertaintyAuroc)), bases.Average(b => b.MeanResponseTokens)));
        }
        foreach (var recipe in campaigns.Select(c => c.Recipe).Distinct(StringComparer.Ordinal))
        {
            var runs = campaigns.Where(c => c.Recipe == recipe).OrderBy(c => c.Seed).ToList();
            foreach (var difficulty in difficulties)
            {
                var before = runs.Select(c => Outcomes(Report(c.Base, difficulty, c), c)).ToList();
                var after = runs.Select(c => Report(c.Final, difficulty, c)).ToList();
                var afterOutcomes = runs.Select((c, i) => Outcomes(after[i], c)).ToList();
                int n = before[0].GreedyCorrect.Count;
                if (before.Concat(afterOutcomes).Any(o => o.GreedyCorrect.Count != n))
                    throw new InvalidDataException($"{recipe} {difficulty}: the campaigns were evaluated on different numbers of problems.");
                var baseMean = Enumerable.Range(0, n).Select(i => before.Average(o => o.GreedyCorrect[i] ? 1.0 : 0.0)).ToList();
                var afterMean = Enumerable.Range(0, n).Select(i => afterOutcomes.Average(o => o.GreedyCorrect[i] ? 1.0 : 0.0)).ToList();
                var change = PairedBootstrap.MeanChange(baseMean, afterMean, BootstrapSeed);

                McNemarResult? versusGold = null;
                if (recipe != goldRecipe)
                {
                    var mine = new List<bool>();
                    var gold = new List<bool>();
                    foreach (var (run, outcome) in runs.Zip(afterOutcomes))
                    {
                        var goldRun = campaigns.FirstOrDefault(c => c.Recipe == goldRecipe && c.Seed == run.Seed);
                        if (goldRun is null) continue;
                        var goldOutcome = Outcomes(Report(goldRun.Final, difficulty, goldRun), goldRun);
                        if (goldOutcome.GreedyCorrect.Count != n) continue;
                        mine.AddRange(outcome.GreedyCorrect);
                        gold.AddRange(goldOutcome.GreedyCorrect);
                    }
                    if (mine.Count > 0) versusGold = McNemar.Test(mine, gold);
                }
                rows.Add(new ComparisonRow(recipe, difficulty, n, runs.Count, baseMean.Average(), afterMean.Average(), change, versusGold,
                    after.Average(r => r.PassAtOne), after.Average(r => r.MajorityAccuracy), after.Average(r => r.AnswerConfidenceEce),
                    NanMean(after.Select(r => r.WithinPromptSelfCertaintyAuroc)), after.Average(r => r.MeanResponseTokens)));
            }
        }
        return new RecipeComparisonTable(goldRecipe, rows, campaigns);
    }

    private static DifficultyReport Report(IReadOnlyList<DifficultyReport> reports, string difficulty, ComparedCampaign campaign) =>
        reports.FirstOrDefault(r => r.Difficulty == difficulty)
        ?? throw new InvalidDataException($"Campaign {campaign.CampaignId} has no evaluation of {difficulty}.");

    private static ProblemOutcomes Outcomes(DifficultyReport report, ComparedCampaign campaign) =>
        report.Outcomes ?? throw new InvalidDataException(
            $"Campaign {campaign.CampaignId}'s evaluation of {report.Difficulty} has no per-problem outcomes (evaluated before they were recorded); run it again.");

    private static double NanMean(IEnumerable<double> values)
    {
        var finite = values.Where(v => !double.IsNaN(v)).ToList();
        return finite.Count > 0 ? finite.Average() : double.NaN;
    }
}
