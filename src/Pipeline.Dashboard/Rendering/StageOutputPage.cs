// `/campaigns/{id}/iterations/{n}/{stage}`: what a stage stored in one iteration. Rollouts (generation, scoring,
// judging) and preference pairs (pairs, chosen and rejected side by side) come from the shard files; the update shows
// its chunks' figures and the evaluation its held-out table, both from the state document.
using System.Text;
using Pipeline.Dashboard.Data;
using Pipeline.Stages.Campaigns;

namespace Pipeline.Dashboard.Rendering;

/// <summary>The stage output page.</summary>
internal static class StageOutputPage
{
    /// <summary>The whole page.</summary>
    public static string Render(StageOutputView view, PageContext context)
    {
        var (id, n, stage, stages, iterations) = (view.CampaignId, view.Iteration, view.Stage, view.CampaignStages, view.Iterations);
        var html = new StringBuilder();
        html.Add($"<p class=\"crumbs\"><a href=\"{DashboardRoutes.Campaigns}\">Campaigns</a> › <a href=\"{Html.E(DashboardRoutes.Campaign(id))}\">{Html.E(id)}</a> › iteration {n} › {Html.E(stage.Name())}</p>\n");
        html.Add($"<h1>{Html.E(stage.Name())} · iteration {n}</h1>\n<nav class=\"tabs\">");
        foreach (var other in stages)
        {
            if (other != CampaignStage.Evaluation && n == 0)
                continue;
            var current = other == stage ? " class=\"current\"" : "";
            html.Add($"<a{current} href=\"{Html.E(DashboardRoutes.StageOutput(id, n, other))}\">{Html.E(other.Name())}</a>");
        }
        var first = stage == CampaignStage.Evaluation ? 0 : 1;
        if (n > first)
            html.Add($"<a class=\"step\" href=\"{Html.E(DashboardRoutes.StageOutput(id, n - 1, stage))}\">← iteration {n - 1}</a>");
        if (n < iterations)
            html.Add($"<a class=\"step\" href=\"{Html.E(DashboardRoutes.StageOutput(id, n + 1, stage))}\">iteration {n + 1} →</a>");
        html.Append("</nav>\n");

        switch (stage)
        {
            case CampaignStage.Update:
                html.Append(Chunks(view));
                break;
            case CampaignStage.Evaluation:
                html.Append(Evaluation(view));
                break;
            default:
                html.Append(Shards(view));
                html.Append(stage == CampaignStage.Pairs ? Pairs(view.Pairs) : RolloutTable.Render(view.Rollouts, "rollouts"));
                break;
        }
        return Layout.Page($"{id} · iteration {n} · {stage.Name()}", html.ToString(), context);
    }

    static string Shards(StageOutputView view)
    {
        var summaryNames = view.Shards.SelectMany(s => s.Summary.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var html = new StringBuilder("<h2>Shards</h2>\n<table class=\"compact shards\"><thead><tr><th class=\"num\">shard</th><th>output</th>");
        foreach (var name in summaryNames)
            html.Add($"<th class=\"num\">{Html.E(name)}</th>");
        html.Append("</tr></thead><tbody>\n");
        foreach (var shard in view.Shards)
        {
            var file = shard.Key[(shard.Key.LastIndexOf('/') + 1)..];
            html.Add($"<tr>{Html.IntCell(shard.Shard)}<td>{(shard.Stored ? $"<code title=\"{Html.E(shard.Key)}\">{Html.E(file)}</code>" : "<span class=\"muted\">not stored yet</span>")}</td>");
            foreach (var name in summaryNames)
                html.Append(shard.Summary.TryGetValue(name, out var value) ? Html.FigureCell(value) : "<td></td>");
            html.Append("</tr>\n");
        }
        html.Append("</tbody></table>\n<h2>").Append(view.Stage == CampaignStage.Pairs ? "Preference pairs" : "Rollouts").Append("</h2>\n");
        return html.ToString();
    }

    static string Pairs(IReadOnlyList<PairRow> pairs)
    {
        if (pairs.Count == 0)
            return "<p class=\"empty\">No pairs stored.</p>";
        var html = new StringBuilder();
        html.Add($"<p class=\"tools\"><input type=\"search\" placeholder=\"Filter pairs\" data-filter-for=\"pairs\" aria-label=\"Filter pairs\"> <span class=\"muted\" data-count-for=\"pairs\">{pairs.Count} pairs</span></p>\n");
        html.Append("<table id=\"pairs\" class=\"sortable pairs\"><thead><tr><th class=\"num\">shard</th><th>prompt</th><th>chosen</th><th>rejected</th>"
            + "<th class=\"num\">chosen score</th><th class=\"num\">rejected score</th><th class=\"num\">score gap</th><th class=\"num\">weight</th></tr></thead><tbody>\n");
        foreach (var (shard, pair) in pairs)
        {
            html.Add($"<tr>{Html.IntCell(shard)}<td><code>{Html.E(pair.Prompt)}</code><br><span class=\"muted\">{Html.E(pair.PromptId)}</span></td>");
            html.Add($"<td class=\"chosen\"><code>{Html.E(pair.Chosen.Text)}</code></td><td class=\"rejected\"><code>{Html.E(pair.Rejected.Text)}</code></td>");
            html.Append(Html.NumCell(pair.Chosen.Score)).Append(Html.NumCell(pair.Rejected.Score)).Append(Html.NumCell(pair.Chosen.Score - pair.Rejected.Score))
                .Append(Html.NumCell(pair.Weight)).Append("</tr>\n");
        }
        return html.Append("</tbody></table>\n").ToString();
    }

    static string Chunks(StageOutputView view)
    {
        if (view.Chunks.Count == 0)
            return "<p class=\"empty\">No update chunk has reported yet.</p>";
        var names = view.Chunks.SelectMany(c => c.Metrics.Keys).Distinct(StringComparer.Ordinal).Where(k => k != "chunk").Order(StringComparer.Ordinal).ToList();
        var html = new StringBuilder("<h2>Update chunks</h2>\n<table id=\"chunks\" class=\"sortable\"><thead><tr><th class=\"num\">chunk</th>");
        foreach (var name in names)
            html.Add($"<th class=\"num\">{Html.E(name)}</th>");
        html.Append("</tr></thead><tbody>\n");
        foreach (var chunk in view.Chunks)
        {
            html.Add($"<tr>{Html.IntCell(chunk.Chunk)}");
            foreach (var name in names)
                html.Append(chunk.Metrics.TryGetValue(name, out var value) ? Html.FigureCell(value) : "<td></td>");
            html.Append("</tr>\n");
        }
        return html.Append("</tbody></table>\n").ToString();
    }

    static string Evaluation(StageOutputView view)
    {
        if (view.Evaluation.Count == 0)
            return "<p class=\"empty\">This policy has not been evaluated yet.</p>";
        return "<h2>Held-out evaluation</h2>\n" + EvaluationTable.Render(view.Evaluation.Select(d => (view.Iteration, d)));
    }
}
