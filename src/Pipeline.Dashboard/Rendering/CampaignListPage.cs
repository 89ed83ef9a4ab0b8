// `/`: every campaign in the store with its recipe, status, iteration progress, last event and failures; the table
// sorts by any column, filters by text, and refreshes while the page is open.
using System.Text;
using Pipeline.Dashboard.Data;
using Pipeline.Stages.Orchestration;
using Pipeline.Stages.Campaigns;

namespace Pipeline.Dashboard.Rendering;

/// <summary>The campaign list.</summary>
internal static class CampaignListPage
{
    /// <summary>The whole page.</summary>
    public static string Render(IReadOnlyList<CampaignSummary> campaigns, PageContext context)
    {
        var body = new StringBuilder();
        body.Append("<h1>Campaigns</h1>\n");
        body.Append("<p class=\"tools\"><input type=\"search\" placeholder=\"Filter campaigns\" data-filter-for=\"campaigns\" aria-label=\"Filter campaigns\"></p>\n");
        body.Append(Layout.Live(DashboardRoutes.Live(DashboardRoutes.Campaigns), Version(campaigns), Table(campaigns), context));
        return Layout.Page("Campaigns", body.ToString(), context);
    }

    /// <summary>Changes whenever a campaign is added or its state is written.</summary>
    public static string Version(IReadOnlyList<CampaignSummary> campaigns) =>
        $"{campaigns.Count}-{(campaigns.Count == 0 ? 0 : campaigns.Max(c => c.State.UpdatedAt.UtcTicks))}-{campaigns.Sum(c => c.LastEvent?.At.UtcTicks ?? 0)}";

    /// <summary>The table (the live part).</summary>
    public static string Table(IReadOnlyList<CampaignSummary> campaigns)
    {
        if (campaigns.Count == 0)
            return "<p class=\"empty\">No campaigns in the store yet. Start one with <code>pipeline run</code> or <code>pipeline campaign start</code>.</p>";
        var html = new StringBuilder();
        html.Append("<table id=\"campaigns\" class=\"sortable\">\n<thead><tr><th>campaign</th><th>recipe</th><th>status</th>"
            + "<th class=\"num\">iteration</th><th>last event</th><th class=\"num\">failures</th><th>created (UTC)</th></tr></thead>\n<tbody>\n");
        foreach (var (state, lastEvent) in campaigns.OrderByDescending(c => c.State.CreatedAt))
        {
            var failures = state.Failures().Count();
            var iteration = Math.Min(state.CurrentIteration, state.Iterations);
            var finished = state.CurrentIteration - 1;
            html.Add($"<tr data-campaign=\"{Html.E(state.CampaignId)}\"><td class=\"id\"><a href=\"{Html.E(DashboardRoutes.Campaign(state.CampaignId))}\">{Html.E(state.CampaignId)}</a></td>");
            html.Add($"<td>{Html.E(state.Recipe)}</td><td data-value=\"{Html.E(StatusText(state))}\">{StatusBadge(state)}</td>");
            html.Add($"<td class=\"num\" data-value=\"{finished}\">{Progress(finished, state.Iterations)} {Html.Int(iteration)}/{Html.Int(state.Iterations)}</td>");
            html.Add($"<td class=\"event\">{LastEvent(state, lastEvent)}</td>");
            html.Add($"<td class=\"num{(failures > 0 ? " bad" : "")}\" data-value=\"{failures}\">{Html.Int(failures)}</td>");
            html.Add($"<td class=\"time\" data-value=\"{state.CreatedAt.UtcTicks}\">{Html.Time(state.CreatedAt)}</td></tr>\n");
        }
        html.Append("</tbody></table>");
        return html.ToString();
    }

    /// <summary>The status as a word; a running campaign with failures reads <c>failing</c>.</summary>
    public static string StatusText(CampaignState state) =>
        state.Status == CampaignStatus.Running && state.Failures().Any() ? "failing" : state.Status.ToString().ToLowerInvariant();

    /// <summary>The status badge.</summary>
    public static string StatusBadge(CampaignState state) => Html.Badge(StatusText(state), StatusText(state));

    /// <summary>A small bar of <paramref name="done"/> out of <paramref name="total"/>.</summary>
    public static string Progress(int done, int total) =>
        $"<span class=\"bar\" title=\"{done}/{total}\"><span style=\"width:{(total <= 0 ? 0 : 100 * Math.Clamp(done, 0, total) / total)}%\"></span></span>";

    /// <summary>The last event when this process saw it, else when the state was last written.</summary>
    public static string LastEvent(CampaignState state, CampaignEvent? lastEvent) => lastEvent is { } e
        ? $"{Html.E(e.Description)} <span class=\"muted\">{Html.Time(e.At)}</span>"
        : $"<span class=\"muted\">state written {Html.Time(state.UpdatedAt)}</span>";
}
