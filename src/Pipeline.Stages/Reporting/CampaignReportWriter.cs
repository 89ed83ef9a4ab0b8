// Writes a campaign report to a folder: report.md (trend tables per metric with their plots, then every figure per
// iteration), report.json (the same data), one SVG line plot per tracked metric with a line per difficulty, and one of
// the judging stage's unreadable verdicts per iteration.
using System.Globalization;
using System.Text;
using System.Text.Json;
using Pipeline.Contracts;

namespace Pipeline.Stages.Reporting;

/// <summary>Writes <see cref="CampaignReport"/>s as Markdown, JSON and SVG.</summary>
public static class CampaignReportWriter
{
    /// <summary>A metric the report plots over iterations.</summary>
    /// <param name="File">SVG file name without extension.</param>
    /// <param name="Title">Plot title and Markdown heading.</param>
    /// <param name="Axis">Label of the y axis.</param>
    /// <param name="Value">The metric of one difficulty.</param>
    /// <param name="Format">.NET format of table cells.</param>
    public sealed record TrackedMetric(string File, string Title, string Axis, Func<DifficultyMetrics, double> Value, string Format);

    /// <summary>The plotted held-out metrics: accuracy, ECE, mean self-certainty, response length.</summary>
    public static IReadOnlyList<TrackedMetric> Metrics { get; } =
    [
        new("accuracy", "Greedy accuracy", "accuracy", d => d.GreedyAccuracy, "0.000"),
        new("ece", "Expected calibration error", "ECE", d => d.Ece, "0.000"),
        new("self-certainty", "Mean self-certainty", "self-certainty", d => d.MeanSelfCertainty, "0.000"),
        new("response-length", "Mean response length", "tokens", d => d.MeanResponseTokens, "0.0"),
    ];

    /// <summary>File name (without extension) of the judge parse-failure plot.</summary>
    public const string JudgeParseFailuresFile = "judge-parse-failures";

    /// <summary>Writes report.md, report.json and one SVG per tracked metric into <paramref name="directory"/> (created if missing).</summary>
    /// <returns>Full paths of the files written.</returns>
    public static IReadOnlyList<string> Write(CampaignReport report, string directory)
    {
        ArgumentNullException.ThrowIfNull(report);
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        void Save(string name, string text)
        {
            var path = Path.GetFullPath(Path.Combine(directory, name));
            File.WriteAllText(path, text, new UTF8Encoding(false));
            written.Add(path);
        }

        Save("report.md", Markdown(report));
        Save("report.json", JsonSerializer.Serialize(report, CampaignReport.WriteOptions) + "\n");
        foreach (var metric in Metrics)
            Save(metric.File + ".svg", Plot(report, metric));
        Save(JudgeParseFailuresFile + ".svg", JudgeParseFailuresPlot(report));
        return written;
    }

    /// <summary>The plot of one metric: x = iteration, one line per difficulty (in first-seen order).</summary>
    public static string Plot(CampaignReport report, TrackedMetric metric)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(metric);
        var series = Difficulties(report)
            .Select(difficulty => new PlotSeries(difficulty, report.Iterations
                .SelectMany(i => i.Difficulties.Where(d => d.Difficulty == difficulty).Select(d => ((double)i.Iteration, metric.Value(d))))
                .ToList()))
            .ToList();
        return SvgLinePlot.Render($"{metric.Title} — {report.CampaignId}", "iteration (0 = base model)", metric.Axis, series);
    }

    /// <summary>The judging stage's unreadable verdicts per iteration (one line; an empty frame when no judging stage ran).</summary>
    public static string JudgeParseFailuresPlot(CampaignReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        List<PlotSeries> series = report.JudgeParseFailures.Count == 0
            ? []
            : [new PlotSeries("judging stage", report.JudgeParseFailures.Select(c => ((double)c.Iteration, c.Failures)).ToList())];
        return SvgLinePlot.Render($"Judge parse failures — {report.CampaignId}", "iteration", "unreadable verdicts", series);
    }

    /// <summary>The Markdown report.</summary>
    public static string Markdown(CampaignReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# Campaign {report.CampaignId}");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"- recipe: {report.Recipe ?? "unknown (no campaign.json)"}");
        text.AppendLine(CultureInfo.InvariantCulture, $"- status: {report.Status ?? "unknown (no state.json)"}");
        var evaluated = report.Iterations.Count == 0 ? "none yet" : string.Join(", ", report.Iterations.Select(i => i.Iteration));
        var planned = report.PlannedIterations is { } p ? $" of 0..{p}" : "";
        text.AppendLine(CultureInfo.InvariantCulture, $"- evaluated iterations: {evaluated}{planned} (0 is the base model)");
        foreach (var note in report.Notes)
            text.AppendLine(CultureInfo.InvariantCulture, $"- note: {note}");

        var difficulties = Difficulties(report);
        foreach (var metric in Metrics)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"## {metric.Title}");
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"![{metric.Title}]({metric.File}.svg)");
            text.AppendLine();
            text.AppendLine("| iteration | " + string.Join(" | ", difficulties) + " |");
            text.AppendLine("|---:|" + string.Concat(difficulties.Select(_ => "---:|")));
            foreach (var iteration in report.Iterations)
            {
                var cells = difficulties.Select(d => iteration.Difficulties.FirstOrDefault(m => m.Difficulty == d) is { } m
                    ? Cell(metric.Value(m), metric.Format)
                    : "");
                text.AppendLine(CultureInfo.InvariantCulture, $"| {iteration.Iteration} | {string.Join(" | ", cells)} |");
            }
        }

        text.AppendLine();
        text.AppendLine("## Judge parse failures");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"![Judge parse failures]({JudgeParseFailuresFile}.svg)");
        text.AppendLine();
        if (report.JudgeParseFailures.Count == 0)
        {
            text.AppendLine("No judging stage ran (the recipe has none, or no iteration has judged yet).");
        }
        else
        {
            text.AppendLine("| iteration | unreadable verdicts | verdicts sampled |");
            text.AppendLine("|---:|---:|---:|");
            foreach (var count in report.JudgeParseFailures)
                text.AppendLine(CultureInfo.InvariantCulture, $"| {count.Iteration} | {count.Failures:0} | {count.Verdicts:0} |");
        }

        text.AppendLine();
        text.AppendLine("## Compute seconds per stage");
        text.AppendLine();
        if (report.Timing.Count == 0)
        {
            text.AppendLine("No stage has recorded its time yet.");
        }
        else
        {
            var stages = StageDefinitions.All.Select(s => s.Name).Where(n => report.Timing.Any(t => t.Seconds.ContainsKey(n))).ToList();
            text.AppendLine(CultureInfo.InvariantCulture, $"| iteration | {string.Join(" | ", stages)} | total |");
            text.AppendLine(CultureInfo.InvariantCulture, $"|---:|{string.Concat(stages.Select(_ => "---:|"))}---:|");
            foreach (var t in report.Timing)
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {t.Iteration} | {string.Join(" | ", stages.Select(s => t.Seconds.TryGetValue(s, out var v) ? v.ToString("0.0", CultureInfo.InvariantCulture) : ""))} | {t.Seconds.Values.Sum():0.0} |");
            text.AppendLine();
            text.AppendLine("Summed over shards and chunks; stages of one iteration may overlap in time, and the evaluation of iteration n measures its policy.");
        }

        text.AppendLine();
        text.AppendLine("## All figures per iteration");
        foreach (var iteration in report.Iterations)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"### Iteration {iteration.Iteration}{(iteration.Iteration == 0 ? " (base model)" : "")}");
            text.AppendLine();
            text.AppendLine("| difficulty | problems | greedy acc. | majority acc. | ECE | mean SC | SC AUROC | length | judge acc. |");
            text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var m in iteration.Difficulties)
            {
                text.AppendLine(string.Join(" | ",
                    $"| {m.Difficulty}", m.Problems.ToString(CultureInfo.InvariantCulture), Cell(m.GreedyAccuracy, "0.000"),
                    Cell(m.MajorityAccuracy, "0.000"), Cell(m.Ece, "0.000"), Cell(m.MeanSelfCertainty, "0.000"),
                    Cell(m.SelfCertaintyAuroc, "0.000"), Cell(m.MeanResponseTokens, "0.0"), Cell(m.JudgeAccuracy, "0.000")) + " |");
            }
            if (iteration.Difficulties.Any(m => double.IsFinite(m.SampleJudgeAccuracy)))
            {
                text.AppendLine();
                text.AppendLine("The policy as judge of its own samples (against the verifier):");
                text.AppendLine();
                text.AppendLine("| difficulty | judge acc. on samples | judge AUROC within prompt |");
                text.AppendLine("|---|---:|---:|");
                foreach (var m in iteration.Difficulties.Where(m => double.IsFinite(m.SampleJudgeAccuracy)))
                    text.AppendLine(string.Join(" | ", $"| {m.Difficulty}", Cell(m.SampleJudgeAccuracy, "0.000"), Cell(m.SampleJudgeAuroc, "0.000")) + " |");
            }
            if (iteration.Difficulties.Any(m => m.SelfCorrection is not null))
            {
                text.AppendLine();
                text.AppendLine("Self-correction (greedy first attempt, then a greedy second attempt on the correction prompt):");
                text.AppendLine();
                text.AppendLine("| difficulty | Acc@t1 | Acc@t2 | Δ | Δ(i→c) | Δ(c→i) |");
                text.AppendLine("|---|---:|---:|---:|---:|---:|");
                foreach (var m in iteration.Difficulties.Where(m => m.SelfCorrection is not null))
                {
                    var c = m.SelfCorrection!;
                    text.AppendLine(string.Join(" | ", $"| {m.Difficulty}", Cell(c.FirstAttemptAccuracy, "0.000"), Cell(c.SecondAttemptAccuracy, "0.000"),
                        Cell(c.Delta, "+0.000;-0.000;0.000"), Cell(c.IncorrectToCorrect, "0.000"), Cell(c.CorrectToIncorrect, "0.000")) + " |");
                }
            }
        }
        return text.ToString();
    }

    static List<string> Difficulties(CampaignReport report) =>
        report.Iterations.SelectMany(i => i.Difficulties.Select(d => d.Difficulty)).Distinct(StringComparer.Ordinal).ToList();

    static string Cell(double value, string format) =>
        double.IsFinite(value) ? value.ToString(format, CultureInfo.InvariantCulture) : "n/a";
}
