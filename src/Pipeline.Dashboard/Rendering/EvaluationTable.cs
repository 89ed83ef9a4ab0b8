// The held-out figures as a table, one row per (iteration, difficulty): the campaign page and report.html show every
// evaluated iteration, the evaluation stage's page one iteration.
using System.Text;
using Pipeline.Contracts;

namespace Pipeline.Dashboard.Rendering;

/// <summary>The held-out evaluation table.</summary>
internal static class EvaluationTable
{
    /// <summary>A sortable table of <paramref name="rows"/>.</summary>
    public static string Render(IEnumerable<(int Iteration, DifficultyMetrics Metrics)> rows)
    {
        var html = new StringBuilder("<table id=\"evaluation\" class=\"sortable\"><thead><tr><th class=\"num\">iteration</th><th>difficulty</th>"
            + "<th class=\"num\">problems</th><th class=\"num\">greedy acc.</th><th class=\"num\">majority acc.</th><th class=\"num\">ECE</th>"
            + "<th class=\"num\">mean SC</th><th class=\"num\">SC AUROC</th><th class=\"num\">length</th><th class=\"num\">judge acc.</th></tr></thead><tbody>\n");
        foreach (var (iteration, d) in rows)
        {
            html.Add($"<tr>{Html.IntCell(iteration)}<td>{Html.E(d.Difficulty)}</td>{Html.IntCell(d.Problems)}");
            html.Append(Html.NumCell(d.GreedyAccuracy)).Append(Html.NumCell(d.MajorityAccuracy)).Append(Html.NumCell(d.Ece))
                .Append(Html.NumCell(d.MeanSelfCertainty)).Append(Html.NumCell(d.SelfCertaintyAuroc)).Append(Html.NumCell(d.MeanResponseTokens, "0.0"))
                .Append(Html.NumCell(d.JudgeAccuracy)).Append("</tr>\n");
        }
        return html.Append("</tbody></table>\n").ToString();
    }
}
