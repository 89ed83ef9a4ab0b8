// `/campaigns/{id}` and report.html: the campaign's status and actions, its failures with their reasons (and the retry
// that fixes them), per iteration and stage the units done, dispatched and failed, the held-out evaluation table and the
// plots. The live part is re-rendered whenever the state document changes; report.html is the same page as a file.
using System.Text;
using Pipeline.Dashboard.Data;
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Orchestration;

namespace Pipeline.Dashboard.Rendering;

/// <summary>The campaign page.</summary>
internal static class CampaignPage
{
    /// <summary>The whole page; <paramref name="forms"/> is null for a page without actions (report.html).</summary>
    public static string Render(CampaignView view, ActionForms? forms, string? notice, PageContext context)
    {
        var id = view.State.CampaignId;
        var body = new StringBuilder();
        if (!context.Standalone)
            body.Add($"<p class=\"crumbs\"><a href=\"{DashboardRoutes.Campaigns}\">Campaigns</a> › {Html.E(id)}</p>\n");
        if (notice is not null)
            body.Add($"<p class=\"notice\">{Html.E(notice)}</p>\n");
        body.Append(Layout.Live(DashboardRoutes.Live(DashboardRoutes.Campaign(id)), view.Version, Live(view, forms, context), context));
        return Layout.Page($"Campaign {id}", body.ToString(), context);
    }

    /// <summary>The part of the page that follows the campaign.</summary>
    public static string Live(CampaignView view, ActionForms? forms, PageContext context)
    {
        var (state, report) = (view.State, view.Report);
        var id = state.CampaignId;
        var page = DashboardRoutes.Campaign(id);
        var html = new StringBuilder();
        html.Add($"<h1>Campaign {Html.E(id)} {CampaignListPage.StatusBadge(state)}</h1>\n<p class=\"meta\">");
        html.Add($"recipe <b>{Html.E(state.Recipe)}</b> · iteration {Math.Min(state.CurrentIteration, state.Iterations)} of {state.Iterations} ");
        html.Append(CampaignListPage.Progress(state.CurrentIteration - 1, state.Iterations));
        html.Add($" · started {Html.Time(state.CreatedAt)} · state written {Html.Time(state.UpdatedAt)}");
        if (state.CompletedAt is { } completed)
            html.Add($" · completed {Html.Time(completed)}");
        if (view.LastEvent is { } lastEvent)
            html.Add($"<br>last event: {Html.E(lastEvent.Description)} <span class=\"muted\">{Html.Time(lastEvent.At)}</span>");
        html.Append("</p>\n");
        if (forms is not null)
            html.Append(Actions(state, forms, page));
        html.Append(Failures(state, forms, page));
        html.Append(Progress(view, context));
        html.Append(Evaluation(view));
        html.Append("<h2>Plots</h2>\n<div class=\"plots\">\n");
        foreach (var plot in CampaignPlots.For(view))
            html.Add($"<figure class=\"plot\" data-plot=\"{Html.E(plot.Name)}\">{plot.Svg}</figure>\n");
        html.Append("</div>\n");
        if (CampaignPlots.WallTime(view) is null)
            html.Add($"<p class=\"muted\">No stage recorded its wall time (the <code>{CampaignPlots.WallSecondsKey}</code> figure of a shard summary or update chunk), so there is no wall-time plot.</p>\n");
        foreach (var note in report.Notes)
            html.Add($"<p class=\"note\">{Html.E(note)}</p>\n");
        return html.ToString();
    }

    static string Actions(CampaignState state, ActionForms forms, string page)
    {
        var buttons = new List<string>();
        if (state.Status == CampaignStatus.Running)
            buttons.Add(forms.Button(DashboardRoutes.Cancel(state.CampaignId), "Cancel", page, "danger",
                "Dispatch nothing more; queued work finishes and is kept for a resume."));
        if (state.Status == CampaignStatus.Cancelled || (state.Status == CampaignStatus.Running && state.Failures().Any()))
            buttons.Add(forms.Button(DashboardRoutes.Resume(state.CampaignId), "Resume", page, "primary",
                "Run again, and send again the work that was sent and never finished."));
        return buttons.Count == 0 ? "" : $"<div class=\"actions\">{string.Concat(buttons)}</div>\n";
    }

    static string Failures(CampaignState state, ActionForms? forms, string page)
    {
        var failures = state.Failures().ToList();
        if (failures.Count == 0)
            return "";
        var html = new StringBuilder();
        html.Add($"<section class=\"failures\"><h2>Failures</h2>\n<p>{failures.Count} unit(s) ended in their stage's error queue after the retries. Fix the cause, then retry the stage: its failed work is sent again.</p>\n");
        if (forms is not null)
        {
            html.Append("<div class=\"actions\">");
            foreach (var stage in failures.Select(f => f.Stage).Distinct())
                html.Append(forms.Button(DashboardRoutes.Retry(stage), $"Retry {stage}", page, "primary", $"Move {stage}_error back to {stage}."));
            html.Append("</div>\n");
        }
        html.Append("<table class=\"failures\"><thead><tr><th class=\"num\">iteration</th><th>stage</th><th class=\"num\">shard</th><th>at (UTC)</th><th>reason</th></tr></thead><tbody>\n");
        foreach (var (iteration, stage, failure) in failures)
        {
            html.Add($"<tr data-stage=\"{Html.E(stage)}\">{Html.IntCell(iteration)}<td>{Html.E(stage)}</td>{Html.IntCell(failure.Shard)}");
            html.Add($"<td>{Html.Time(failure.At)}</td><td class=\"reason\">{Html.E(failure.Message)}</td></tr>\n");
        }
        html.Append("</tbody></table></section>\n");
        return html.ToString();
    }

    static string Progress(CampaignView view, PageContext context)
    {
        var state = view.State;
        var stages = view.Stages;
        var html = new StringBuilder();
        html.Append("<h2>Progress</h2>\n<p class=\"muted\">Per iteration and stage: units done of total (shards; chunks for the update), "
            + "units dispatched and not yet done, units failed. Iteration 0 evaluates the base model.</p>\n");
        html.Append("<table class=\"progress\"><thead><tr><th class=\"num\">iteration</th>");
        foreach (var stage in stages)
            html.Add($"<th>{Html.E(stage.Name())}</th>");
        html.Append("<th class=\"num\">update loss</th></tr></thead><tbody>\n");
        foreach (var iteration in state.IterationStates)
        {
            html.Add($"<tr data-iteration=\"{iteration.Iteration}\">{Html.IntCell(iteration.Iteration)}");
            foreach (var stage in stages)
            {
                if (!iteration.Stages.TryGetValue(stage.Name(), out var progress) || progress.Total == 0)
                {
                    html.Append("<td class=\"stage none\">–</td>");
                    continue;
                }
                var failed = progress.Failures.Count;
                var kind = failed > 0 ? "failed" : progress.Done == progress.Total ? "done" : progress.Dispatched.Count > 0 ? "busy" : "waiting";
                var label = $"{progress.Done}/{progress.Total}";
                var link = context.Standalone ? Html.E(label)
                    : $"<a href=\"{Html.E(DashboardRoutes.StageOutput(state.CampaignId, iteration.Iteration, stage))}\">{Html.E(label)}</a>";
                html.Add($"<td class=\"stage {kind}\" data-stage=\"{Html.E(stage.Name())}\" data-done=\"{progress.Done}\" data-total=\"{progress.Total}\">");
                html.Append(link).Append(' ').Append(CampaignListPage.Progress(progress.Done, progress.Total));
                // A failed unit stays marked dispatched until it is sent again; it is counted as failed only.
                var waiting = progress.Dispatched.Count(shard => progress.Failures.All(f => f.Shard != shard));
                if (waiting > 0)
                    html.Add($" <span class=\"muted\">{waiting} dispatched</span>");
                if (failed > 0)
                    html.Add($" <span class=\"bad\">{failed} failed</span>");
                html.Append("</td>");
            }
            html.Append(Html.NumCell(iteration.UpdateMetrics?.GetValueOrDefault("loss", double.NaN) ?? double.NaN, "0.0000"));
            html.Append("</tr>\n");
        }
        html.Append("</tbody></table>\n");
        return html.ToString();
    }

    static string Evaluation(CampaignView view)
    {
        var report = view.Report;
        var html = new StringBuilder();
        html.Append("<h2>Held-out evaluation</h2>\n");
        if (report.Iterations.Count == 0)
        {
            html.Append("<p class=\"empty\">No policy has been evaluated yet.</p>\n");
        }
        else
        {
            html.Append(EvaluationTable.Render(report.Iterations.SelectMany(i => i.Difficulties.Select(d => (i.Iteration, d)))));
        }
        if (report.JudgeParseFailures.Count > 0)
        {
            html.Append("<h3>Judge parse failures</h3>\n<table class=\"compact\"><thead><tr><th class=\"num\">iteration</th><th class=\"num\">unreadable verdicts</th>"
                + "<th class=\"num\">verdicts sampled</th></tr></thead><tbody>\n");
            foreach (var count in report.JudgeParseFailures)
                html.Add($"<tr>{Html.IntCell(count.Iteration)}{Html.NumCell(count.Failures, "0")}{Html.NumCell(count.Verdicts, "0")}</tr>\n");
            html.Append("</tbody></table>\n");
        }
        return html.ToString();
    }
}
