// The campaign page's plots, drawn by the report's own plot code (CampaignReportWriter, SvgLinePlot) so the dashboard,
// report.md and report.html show the same pictures: the report's tracked held-out metrics, the judge's accuracy on the
// held-out verdicts, the judging stage's unreadable verdicts, and the stages' wall time where a stage recorded it.
using Pipeline.Dashboard.Data;
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Reporting;

namespace Pipeline.Dashboard.Rendering;

/// <summary>A plot and its name.</summary>
/// <param name="Name">Short name (<c>accuracy</c>, <c>ece</c> ...), the report's SVG file name.</param>
/// <param name="Svg">The SVG document.</param>
internal sealed record CampaignPlot(string Name, string Svg);

/// <summary>The plots of a campaign.</summary>
internal static class CampaignPlots
{
    /// <summary>
    /// The figure of a shard summary or update chunk that holds the seconds the unit took. No stage records it yet; once
    /// one does, its plot appears without further changes here.
    /// </summary>
    public const string WallSecondsKey = "wall_seconds";

    /// <summary>The judge's accuracy on the held-out verdict examples, plotted like the report's metrics.</summary>
    static readonly CampaignReportWriter.TrackedMetric JudgeAccuracy = new("judge-accuracy", "Judge accuracy", "accuracy", d => d.JudgeAccuracy, "0.000");

    /// <summary>Every plot of <paramref name="view"/>, in page order.</summary>
    public static IReadOnlyList<CampaignPlot> For(CampaignView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var plots = CampaignReportWriter.Metrics.Append(JudgeAccuracy)
            .Select(metric => new CampaignPlot(metric.File, CampaignReportWriter.Plot(view.Report, metric)))
            .Append(new CampaignPlot(CampaignReportWriter.JudgeParseFailuresFile, CampaignReportWriter.JudgeParseFailuresPlot(view.Report)))
            .ToList();
        if (WallTime(view) is { } wallTime)
            plots.Add(new CampaignPlot("wall-time", wallTime));
        return plots;
    }

    /// <summary>Seconds per stage and iteration, summed over the stage's units; null when no unit recorded its time.</summary>
    public static string? WallTime(CampaignView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var series = new List<PlotSeries>();
        foreach (var stage in view.Stages.Where(s => s != CampaignStage.Evaluation))
        {
            var points = new List<(double X, double Y)>();
            foreach (var iteration in view.State.IterationStates)
            {
                IEnumerable<IReadOnlyDictionary<string, double>> units = stage == CampaignStage.Update
                    ? iteration.ChunkMetrics.Values
                    : iteration.ShardSummaries.GetValueOrDefault(stage.Name())?.Values ?? Enumerable.Empty<Dictionary<string, double>>();
                var seconds = units.Where(u => u.ContainsKey(WallSecondsKey)).Select(u => u[WallSecondsKey]).ToList();
                if (seconds.Count > 0)
                    points.Add((iteration.Iteration, seconds.Sum()));
            }
            if (points.Count > 0)
                series.Add(new PlotSeries(stage.Name(), points));
        }
        return series.Count == 0 ? null
            : SvgLinePlot.Render($"Stage wall time — {view.State.CampaignId}", "iteration", "seconds (sum over units)", series);
    }
}
