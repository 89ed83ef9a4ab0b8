// Rollouts as a table, for a stage's stored outputs and for the rollouts waiting in a queue: prompt, response, answer,
// correctness where the task knows the answer, the per-response means and every score. A response whose tokens carry
// statistics opens a token strip, each token coloured by the statistic picked above the table.
using System.Globalization;
using System.Text;
using Pipeline.Dashboard.Data;

namespace Pipeline.Dashboard.Rendering;

/// <summary>Rollout tables and token strips.</summary>
internal static class RolloutTable
{
    /// <summary>The statistics a token strip can be coloured by: attribute name and label.</summary>
    public static IReadOnlyList<(string Key, string Label)> TokenStatistics { get; } =
        [("logprob", "log-prob"), ("sc", "self-certainty"), ("entropy", "entropy"), ("top1", "top-1 probability"), ("top2", "top-2 probability")];

    /// <summary>A sortable, filterable table of <paramref name="rows"/> with the id <paramref name="tableId"/>.</summary>
    public static string Render(IReadOnlyList<RolloutRow> rows, string tableId)
    {
        if (rows.Count == 0)
            return "<p class=\"empty\">No rollouts.</p>";
        var scoreNames = rows.SelectMany(r => r.Rollout.Scores.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var html = new StringBuilder();
        html.Add($"<p class=\"tools\"><input type=\"search\" placeholder=\"Filter rollouts\" data-filter-for=\"{Html.E(tableId)}\" aria-label=\"Filter rollouts\"> ");
        html.Add($"<span class=\"muted\" data-count-for=\"{Html.E(tableId)}\">{rows.Count} rollouts</span>");
        if (rows.Any(r => r.Tokens is not null))
        {
            html.Add($" <label>colour tokens by <select data-token-colour-for=\"{Html.E(tableId)}\">");
            foreach (var (key, label) in TokenStatistics)
                html.Add($"<option value=\"{key}\">{Html.E(label)}</option>");
            html.Append("</select></label> <span class=\"muted\">red: the model was unsure of the token, green: sure (open a response to see its tokens)</span>");
        }
        html.Append("</p>\n");
        html.Add($"<table id=\"{Html.E(tableId)}\" class=\"sortable rollouts\"><thead><tr><th class=\"num\">shard</th><th>prompt id</th><th class=\"num\">#</th>");
        html.Append("<th>prompt</th><th>response</th><th>answer</th><th>gold</th><th>correct</th><th class=\"num\">tokens</th>"
            + "<th class=\"num\">mean logp</th><th class=\"num\">entropy</th><th class=\"num\">self-cert.</th>");
        foreach (var name in scoreNames)
            html.Add($"<th class=\"num\">{Html.E(name)}</th>");
        html.Append("</tr></thead><tbody>\n");
        foreach (var row in rows)
        {
            var r = row.Rollout;
            var correct = row.Correct switch { true => ("yes", "good", "✓"), false => ("no", "bad", "✗"), null => ("", "muted", "–") };
            html.Add($"<tr>{Html.IntCell(row.Shard)}<td>{Html.E(r.PromptId)}</td>{Html.IntCell(r.Sample)}<td><code>{Html.E(r.Prompt)}</code></td>");
            html.Add($"<td class=\"response\">{Response(row)}</td><td><code>{Html.E(r.Answer ?? "–")}</code></td><td><code>{Html.E(row.GoldAnswer ?? "")}</code></td>");
            html.Add($"<td class=\"{correct.Item2}\" data-value=\"{correct.Item1}\">{correct.Item3}</td>{Html.IntCell(r.Tokens.Ids.Length)}");
            html.Append(Html.NumCell(Mean(r.Tokens.LogProbs))).Append(Html.NumCell(Mean(r.Tokens.Entropies))).Append(Html.NumCell(Mean(r.Tokens.SelfCertainties)));
            foreach (var name in scoreNames)
                html.Append(r.Scores.TryGetValue(name, out var score) ? Html.FigureCell(score) : "<td class=\"num\" data-value=\"\"></td>");
            html.Append("</tr>\n");
        }
        html.Append("</tbody></table>\n");
        return html.ToString();
    }

    static double Mean(float[] values) => values.Length == 0 ? double.NaN : values.Average(v => (double)v);

    static string Response(RolloutRow row)
    {
        var text = $"<code>{Html.E(row.Rollout.Response)}</code>";
        return row.Tokens is { } tokens
            ? $"<details><summary>{text}</summary>{TokenStrip(tokens)}</details>"
            : text;
    }

    /// <summary>The tokens of a response side by side, each carrying its statistics for the script to colour.</summary>
    public static string TokenStrip(TokenView view)
    {
        var html = new StringBuilder("<div class=\"tokens\">");
        foreach (var token in view.Tokens)
        {
            html.Append("<span class=\"token\"");
            Attribute(html, "logprob", token.LogProb);
            Attribute(html, "sc", token.SelfCertainty);
            Attribute(html, "entropy", token.Entropy);
            Attribute(html, "top1", token.Top1);
            Attribute(html, "top2", token.Top2);
            var title = string.Join(", ", new[] { ("log-prob", token.LogProb), ("self-certainty", token.SelfCertainty), ("entropy", token.Entropy),
                ("top-1", token.Top1), ("top-2", token.Top2) }.Where(s => s.Item2 is not null).Select(s => $"{s.Item1} {Html.Num(s.Item2!.Value)}"));
            html.Add($" title=\"{Html.E(title)}\">{Html.E(token.Text.Replace("\n", "⏎", StringComparison.Ordinal))}</span>");
        }
        return html.Append("</div>").ToString();
    }

    static void Attribute(StringBuilder html, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v))
            html.Append(CultureInfo.InvariantCulture, $" data-{name}=\"{v.ToString("R", CultureInfo.InvariantCulture)}\"");
    }
}
