// `/queues` and `/queues/{queue}` (RabbitMQ): per stage the ready, unacknowledged and consumer counts of its queue and
// its error queue, with the retry that moves an error queue back; and the messages waiting in one queue, decoded as
// `pipeline rollouts peek` shows them (read through the management API and requeued in place).
using System.Text;
using System.Text.Json;
using Pipeline.Contracts;
using Pipeline.Dashboard.Data;
using Pipeline.Stages.Messaging;

namespace Pipeline.Dashboard.Rendering;

/// <summary>The queue pages.</summary>
internal static class QueuesPage
{
    static readonly JsonSerializerOptions Indented = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Why the queue pages show nothing on the in-memory bus.</summary>
    public const string NoBroker = "The bus is in-memory (Bus:Transport InMemory): its queues live inside the process that runs the stages, "
        + "and only RabbitMQ's can be listed. Start the dashboard with a configuration whose Bus:Transport is RabbitMq.";

    /// <summary>The queue list page.</summary>
    public static string Render(IReadOnlyList<StageQueueRow>? queues, string broker, ActionForms forms, string? notice, PageContext context)
    {
        var body = new StringBuilder("<h1>Queues</h1>\n");
        if (notice is not null)
            body.Add($"<p class=\"notice\">{Html.E(notice)}</p>\n");
        if (queues is null)
        {
            body.Add($"<p class=\"empty\">{Html.E(NoBroker)}</p>\n");
            return Layout.Page("Queues", body.ToString(), context);
        }
        body.Add($"<p class=\"muted\">{Html.E(broker)}. The broker refreshes these figures every few seconds; absent: no worker has declared the queue yet.</p>\n");
        body.Append(Layout.Live(DashboardRoutes.Live(DashboardRoutes.Queues), Version(queues), Table(queues, forms), context));
        return Layout.Page("Queues", body.ToString(), context);
    }

    /// <summary>Changes whenever a figure changes.</summary>
    public static string Version(IReadOnlyList<StageQueueRow> queues) =>
        string.Join(",", queues.Select(q => q.State is { } s ? $"{s.Ready}.{s.Unacked}.{s.Consumers}" : "-"));

    /// <summary>The table (the live part).</summary>
    public static string Table(IReadOnlyList<StageQueueRow> queues, ActionForms forms)
    {
        var html = new StringBuilder("<table id=\"queues\" class=\"queues\"><thead><tr><th>stage</th><th>queue</th><th class=\"num\">ready</th>"
            + "<th class=\"num\">unacked</th><th class=\"num\">consumers</th><th>error queue</th><th class=\"num\">ready</th><th></th></tr></thead><tbody>\n");
        foreach (var stage in queues.GroupBy(q => q.Stage))
        {
            var main = stage.First(q => !q.IsError);
            var error = stage.First(q => q.IsError);
            html.Add($"<tr data-stage=\"{Html.E(stage.Key)}\"><td>{Html.E(stage.Key)}</td>{QueueCells(main, withConsumers: true)}");
            html.Append(QueueCells(error, withConsumers: false));
            html.Append("<td>");
            if (error.State is { Ready: > 0 })
                html.Append(forms.Button(DashboardRoutes.Retry(stage.Key), "Retry", DashboardRoutes.Queues, "primary",
                    $"Move {error.Queue} back to {stage.Key}."));
            html.Append("</td></tr>\n");
        }
        return html.Append("</tbody></table>").ToString();
    }

    static string QueueCells(StageQueueRow row, bool withConsumers)
    {
        var name = $"<td><a href=\"{Html.E(DashboardRoutes.Queue(row.Queue))}\">{Html.E(row.Queue)}</a></td>";
        if (row.State is not { } state)
            return name + $"<td class=\"muted\" colspan=\"{(withConsumers ? 3 : 1)}\">absent</td>";
        var ready = $"<td class=\"num{(row.IsError && state.Ready > 0 ? " bad" : "")}\" data-queue=\"{Html.E(row.Queue)}\">{Html.Int(state.Ready)}</td>";
        return withConsumers ? name + ready + Html.IntCell(state.Unacked) + Html.IntCell(state.Consumers) : name + ready;
    }

    /// <summary>The page of the messages waiting in <paramref name="queue"/>.</summary>
    public static string Messages(string queue, IReadOnlyList<PeekedStageMessage> messages, int count, bool load, PageContext context)
    {
        var html = new StringBuilder();
        html.Add($"<p class=\"crumbs\"><a href=\"{DashboardRoutes.Queues}\">Queues</a> › {Html.E(queue)}</p>\n<h1>{Html.E(queue)}</h1>\n");
        html.Add($"<p class=\"muted\">The first {messages.Count} message(s) at the head of the queue (at most {count}), read and put back in place: the depth does not change. ");
        html.Add($"<a href=\"{Html.E(DashboardRoutes.Queue(queue))}?count={count}&amp;load={(!load).ToString().ToLowerInvariant()}\">{(load ? "Do not read" : "Read")} rollouts that travel by key from the store</a>.</p>\n");
        if (messages.Count == 0)
            html.Append("<p class=\"empty\">The queue is empty.</p>\n");
        foreach (var message in messages)
            html.Append(Message(message));
        return Layout.Page(queue, html.ToString(), context);
    }

    static string Message(PeekedStageMessage peeked)
    {
        var (position, message, envelope, contract, loaded) = peeked;
        var html = new StringBuilder("<section class=\"message\">");
        html.Add($"<h2>#{position} {Html.E(envelope.TypeName)}</h2>\n<p class=\"meta\">id {Html.E(envelope.MessageId ?? "?")}");
        if (envelope.SentTime is { } sent)
            html.Add($" · sent {Html.Time(sent)}");
        if (message.Redelivered)
            html.Append(" · redelivered");
        if (contract is IShardMessage shard)
            html.Add($" · campaign <a href=\"{Html.E(DashboardRoutes.Campaign(shard.CampaignId))}\">{Html.E(shard.CampaignId)}</a> · iteration {shard.Iteration} · shard {shard.Shard}");
        html.Append("</p>\n");
        foreach (var fault in envelope.FaultMessages)
            html.Add($"<p class=\"reason bad\">fault: {Html.E(fault)}</p>\n");
        switch (contract)
        {
            case IRolloutPayload { Rollouts: { } rollouts }:
                html.Append(RolloutTable.Render(Rows(rollouts), $"message-{position}"));
                break;
            case IRolloutPayload payload when loaded is not null:
                html.Add($"<p>{payload.Count} rollout(s) not inline; read from the store at <code>{Html.E(payload.RolloutsKey)}</code>:</p>\n");
                html.Append(RolloutTable.Render(Rows(loaded), $"message-{position}"));
                break;
            case IRolloutPayload payload:
                html.Add($"<p>{payload.Count} rollout(s) not inline; stored at <code>{Html.E(payload.RolloutsKey)}</code>.</p>\n");
                break;
            case GenerateRollouts generate:
                html.Append("<table class=\"compact\"><thead><tr><th>prompt id</th><th>prompt</th><th>gold answer</th></tr></thead><tbody>\n");
                foreach (var prompt in generate.Prompts)
                    html.Add($"<tr><td>{Html.E(prompt.Id)}</td><td><code>{Html.E(prompt.Text)}</code></td><td><code>{Html.E(prompt.GoldAnswer ?? "")}</code></td></tr>\n");
                html.Append("</tbody></table>\n");
                break;
            default:
                // Everything else is small (ids, keys, figures): its JSON is the clearest display.
                var json = envelope.ContractJsonElement;
                html.Add($"<pre>{Html.E(json.ValueKind == JsonValueKind.Undefined ? "(empty)" : JsonSerializer.Serialize(json, Indented))}</pre>\n");
                break;
        }
        return html.Append("</section>\n").ToString();
    }

    static List<RolloutRow> Rows(IReadOnlyList<Rollout> rollouts) =>
        rollouts.Select(r => new RolloutRow(0, r, r.GoldAnswer, r.GoldAnswer is null ? null : r.Answer == r.GoldAnswer, TokenViews.From(r))).ToList();
}
