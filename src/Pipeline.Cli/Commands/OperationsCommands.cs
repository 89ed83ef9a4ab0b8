// Operating a distributed deployment: `pipeline queues` (depth and consumers of every stage queue and its error queue),
// `pipeline rollouts peek` (what waits in a stage queue, decoded, left in place), `pipeline stage retry` (error queue
// back to the stage) and `pipeline report` (per-iteration metrics of a campaign as Markdown, JSON, SVG plots and report.html).
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Stages;
using Pipeline.Contracts;
using Pipeline.Dashboard;
using Pipeline.Stages.Messaging;
using Pipeline.Stages.Reporting;
using Pipeline.Stages.Work;
using Pipeline.Storage;
using Spectre.Console;
using static Pipeline.Cli.Commands.CommandSupport;

namespace Pipeline.Cli.Commands;

/// <summary>The <c>queues</c>, <c>rollouts</c>, <c>stage</c> and <c>report</c> verbs.</summary>
internal static class OperationsCommands
{
    static readonly JsonSerializerOptions Indented = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Builds the verbs.</summary>
    public static IEnumerable<Command> Create() => [CreateQueues(), CreateRollouts(), CreateStage(), CreateReport()];

    static Option<string> StageOption() => new("--stage")
    {
        Description = $"Stage queue: {string.Join(", ", StageQueues.All)}.",
        Required = true,
    };

    static Command CreateQueues()
    {
        var configOption = PipelineHosts.ConfigOption();
        var jsonOption = new Option<bool>("--json") { Description = "Print JSON instead of a table." };
        var command = new Command("queues",
            "Messages ready and unacknowledged, and consumers, of every stage queue and its _error queue (RabbitMQ management API; "
            + "the broker refreshes these figures every few seconds).")
        {
            configOption, jsonOption,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(parse, cancellationToken, async token =>
        {
            var broker = BusOptions.FromConfiguration(PipelineHosts.Configuration(parse.GetValue(configOption))).RabbitMq;
            using var management = new RabbitMqManagementClient(broker);
            var queues = await StageQueueInspector.ListAsync(management, token);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(jsonOption))
            {
                var rows = queues.Select(q => new
                {
                    q.Queue,
                    q.Stage,
                    Error = q.IsError,
                    Exists = q.State is not null,
                    q.State?.Ready,
                    q.State?.Unacked,
                    q.State?.Consumers,
                });
                output.WriteLine(JsonSerializer.Serialize(new { management.VirtualHost, Queues = rows }, Indented));
                return;
            }

            var table = new Table().AddColumns("queue", "ready", "unacked", "consumers");
            foreach (var (name, _, _, state) in queues)
            {
                if (state is null)
                    table.AddRow(name, "absent", "", "");
                else
                    table.AddRow(name, Count(state.Ready), Count(state.Unacked), Count(state.Consumers));
            }
            var console = Console(output);
            console.Profile.Width = 100;
            console.Write(table);
            output.WriteLine($"virtual host {management.VirtualHost} at {management.BaseAddress}; absent: not declared yet (no worker has started for it).");
        }));
        return command;
    }

    static Command CreateRollouts()
    {
        var stageOption = StageOption();
        var countOption = new Option<int>("--count") { Description = "Messages to show from the head of the queue.", DefaultValueFactory = _ => 5 }
            .Where(n => n >= 1, "must be at least 1");
        var loadOption = new Option<bool>("--load") { Description = "Read rollouts that travel by key only from the store (Storage configuration)." };
        var errorOption = new Option<bool>("--error") { Description = "Peek the stage's _error queue instead." };
        var jsonOption = new Option<bool>("--json") { Description = "Print JSON instead of tables." };
        var configOption = PipelineHosts.ConfigOption();
        var peek = new Command("peek", "Show the messages waiting in a stage queue without consuming them (they are requeued in place).")
        {
            stageOption, countOption, loadOption, errorOption, jsonOption, configOption,
        };
        peek.SetAction((parse, cancellationToken) => RunAsync(parse, cancellationToken, async token =>
        {
            var stage = StageQueues.Resolve(parse.GetValue(stageOption));
            var queue = parse.GetValue(errorOption) ? StageQueues.ErrorQueue(stage) : stage;
            var count = parse.GetValue(countOption);
            var configuration = PipelineHosts.Configuration(parse.GetValue(configOption));
            using var management = new RabbitMqManagementClient(BusOptions.FromConfiguration(configuration).RabbitMq);
            IReadOnlyList<PeekedStageMessage> peeked;
            if (parse.GetValue(loadOption))
            {
                await using var services = PipelineHosts.StoreServices(configuration);
                peeked = await StageQueueInspector.PeekAsync(management, queue, count, services.GetRequiredService<ShardStore>(), token);
            }
            else
            {
                peeked = await StageQueueInspector.PeekAsync(management, queue, count, cancellationToken: token);
            }

            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(jsonOption))
            {
                output.WriteLine(PeekJson(queue, peeked).ToJsonString(Indented));
                return;
            }
            var console = Console(output);
            console.Profile.Width = 160;
            output.WriteLine($"{queue}: showing {peeked.Count} message(s) from the head of the queue (left in place).");
            foreach (var message in peeked)
                WriteMessage(console, output, message);
        }));
        return new Command("rollouts", "Look at the rollouts and other messages travelling between stages.") { peek };
    }

    static Command CreateStage()
    {
        var stageOption = StageOption();
        var configOption = PipelineHosts.ConfigOption();
        var retry = new Command("retry", "Move every message of <stage>_error back to <stage>, body and headers unchanged (AMQP, publisher confirms).")
        {
            stageOption, configOption,
        };
        retry.SetAction((parse, cancellationToken) => RunAsync(parse, cancellationToken, async token =>
        {
            var stage = StageQueues.Resolve(parse.GetValue(stageOption));
            var broker = BusOptions.FromConfiguration(PipelineHosts.Configuration(parse.GetValue(configOption))).RabbitMq;
            var moved = await ErrorQueueMover.MoveAsync(broker, stage, token);
            parse.InvocationConfiguration.Output.WriteLine($"moved {moved} message(s) from {StageQueues.ErrorQueue(stage)} to {stage}");
        }));
        return new Command("stage", "Operate on a stage's queues.") { retry };
    }

    static Command CreateReport()
    {
        var idArgument = new Argument<string>("campaign") { Description = "Campaign id." };
        var outOption = new Option<string?>("--out") { Description = "Output folder (default reports/<campaign>)." };
        var configOption = PipelineHosts.ConfigOption();
        var command = new Command("report", "Write a campaign's per-iteration metrics as Markdown, JSON, SVG plots (one line per difficulty) and one self-contained report.html.")
        {
            idArgument, outOption, configOption,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(parse, cancellationToken, async token =>
        {
            var id = parse.GetRequiredValue(idArgument);
            var directory = parse.GetValue(outOption) ?? Path.Combine("reports", id);
            RequireFolderPath(directory, "--out");
            var configuration = PipelineHosts.Configuration(parse.GetValue(configOption));
            await using var services = PipelineHosts.StoreServices(configuration);
            var store = services.GetRequiredService<IObjectStore>();
            var report = await CampaignReport.LoadAsync(store, id, token);
            // report.html is the dashboard's campaign page as one file: the same tables and plots.
            var files = CampaignReportWriter.Write(report, directory).Append(await CampaignHtmlReport.WriteAsync(store, report, directory, token)).ToList();
            var output = parse.InvocationConfiguration.Output;
            var iterations = report.Iterations.Count == 0 ? "no evaluated iterations yet" : $"iterations {string.Join(", ", report.Iterations.Select(i => i.Iteration))}";
            output.WriteLine($"campaign {id}: {iterations}; wrote {files.Count} files to {Path.GetFullPath(directory)}");
            foreach (var file in files)
                output.WriteLine($"  {Path.GetFileName(file)}");
        }));
        return command;
    }

    static JsonArray PeekJson(string queue, IReadOnlyList<PeekedStageMessage> peeked)
    {
        var items = new JsonArray();
        foreach (var (position, message, envelope, _, loaded) in peeked)
        {
            var item = new JsonObject
            {
                ["queue"] = queue,
                ["position"] = position,
                ["messageId"] = envelope.MessageId,
                ["messageType"] = envelope.TypeName,
                ["sentTime"] = envelope.SentTime?.ToString("O", CultureInfo.InvariantCulture),
                ["redelivered"] = message.Redelivered,
                ["headers"] = message.Properties.ValueKind == JsonValueKind.Object && message.Properties.TryGetProperty("headers", out var headers)
                    ? JsonNode.Parse(headers.GetRawText())
                    : null,
                ["message"] = JsonNode.Parse(envelope.Message.GetRawText()),
            };
            if (envelope.IsFault)
                item["faultMessages"] = new JsonArray(envelope.FaultMessages.Select(m => (JsonNode?)m).ToArray());
            if (loaded is not null)
                item["loadedRollouts"] = JsonSerializer.SerializeToNode(loaded, StoredJson.Lines);
            items.Add(item);
        }
        return items;
    }

    static void WriteMessage(IAnsiConsole console, TextWriter output, PeekedStageMessage peeked)
    {
        var (position, message, envelope, contract, loaded) = peeked;
        output.WriteLine();
        var sent = envelope.SentTime is { } time ? $"  sent {time.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}Z" : "";
        output.WriteLine($"#{position} {envelope.TypeName}  id {envelope.MessageId ?? "?"}{sent}{(message.Redelivered ? "  (redelivered)" : "")}");
        foreach (var fault in envelope.FaultMessages)
            output.WriteLine($"  fault: {fault.ReplaceLineEndings(" ")}");

        if (contract is IStageMessage stage)
        {
            var unit = contract switch { IShardMessage s => $"  shard {s.Shard}", IChunkMessage c => $"  chunk {c.Chunk}", _ => "" };
            output.WriteLine($"  campaign {stage.CampaignId}  iteration {stage.Iteration}{unit}  "
                + $"checkpoint {stage.Checkpoint.Prefix} ({Short(stage.Checkpoint.ManifestSha256)})");
        }

        switch (contract)
        {
            case IRolloutPayload { Rollouts: { } rollouts }:
                console.Write(RolloutTable(rollouts));
                break;
            case IRolloutPayload payload when loaded is not null:
                output.WriteLine($"  {payload.Count} rollout(s) not inline; loaded from the store at {payload.RolloutsKey}:");
                console.Write(RolloutTable(loaded));
                break;
            case IRolloutPayload payload:
                output.WriteLine($"  {payload.Count} rollout(s) not inline; stored at {payload.RolloutsKey} (--load reads them from the store).");
                break;
            case GenerateRollouts generate:
                var prompts = new Table().AddColumns("prompt id", "prompt", "gold answer");
                foreach (var prompt in generate.Prompts)
                    prompts.AddRow(Markup.Escape(prompt.Id), Markup.Escape(prompt.Text), Markup.Escape(prompt.GoldAnswer ?? ""));
                console.Write(prompts);
                break;
            case PairsBuilt { Pairs: { } pairs }:
                var pairTable = new Table().AddColumns("prompt", "chosen", "rejected", "chosen score", "rejected score", "weight");
                foreach (var pair in pairs)
                    pairTable.AddRow(Markup.Escape(pair.Prompt), Markup.Escape(pair.Chosen.Text), Markup.Escape(pair.Rejected.Text),
                        Number(pair.Chosen.Score), Number(pair.Rejected.Score), Number(pair.Weight));
                console.Write(pairTable);
                break;
            case PairsBuilt pairsByKey:
                output.WriteLine($"  {pairsByKey.Count} pair(s) not inline; stored at {pairsByKey.PairsKey}.");
                break;
            case PolicyEvaluated evaluated:
                var metrics = new Table().AddColumns("difficulty", "n", "greedy", "majority", "ECE", "mean SC", "SC AUROC", "length", "judge acc.");
                foreach (var d in evaluated.Difficulties)
                    metrics.AddRow(Markup.Escape(d.Difficulty), Count(d.Problems), Number(d.GreedyAccuracy), Number(d.MajorityAccuracy), Number(d.Ece),
                        Number(d.MeanSelfCertainty), Number(d.SelfCertaintyAuroc), Number(d.MeanResponseTokens), Number(d.JudgeAccuracy));
                console.Write(metrics);
                break;
            default:
                // Everything else is small (ids, keys, metric dictionaries): its JSON is the clearest display.
                var json = envelope.ContractJsonElement;
                output.WriteLine(json.ValueKind == JsonValueKind.Undefined ? "  (empty)" : "  " + JsonSerializer.Serialize(json, Indented).ReplaceLineEndings("\n  "));
                break;
        }
    }

    static Table RolloutTable(IReadOnlyList<Rollout> rollouts)
    {
        var table = new Table().AddColumns("prompt id", "#", "prompt", "response", "answer", "tokens", "self-cert.", "mean logp", "entropy", "min p", "scores");
        foreach (var r in rollouts)
        {
            var scores = string.Join(" ", r.Scores.Select(s => $"{s.Key}={Number(s.Value)}"));
            var t = r.Tokens;
            table.AddRow(Markup.Escape(r.PromptId), Count(r.Sample), Markup.Escape(r.Prompt), Markup.Escape(r.Response),
                Markup.Escape(r.Answer ?? "-") + (r.GoldAnswer is { } gold ? Markup.Escape($" (gold {gold})") : ""),
                Count(t.Ids.Length) + (t.Stopped ? "" : " (cut)"), Number(Mean(t.SelfCertainties)), Number(Mean(t.LogProbs)), Number(Mean(t.Entropies)),
                Number(t.LogProbs.Length == 0 ? double.NaN : Math.Exp(t.LogProbs.Min())), Markup.Escape(scores));
        }
        return table;
    }

    static double Mean(float[] values) => values.Length == 0 ? double.NaN : values.Average(v => (double)v);

    static string Short(string hash) => hash.Length > 12 ? hash[..12] : hash;

    static string Count(long value) => value.ToString(CultureInfo.InvariantCulture);

    static string Number(double value) => double.IsFinite(value) ? value.ToString("0.000", CultureInfo.InvariantCulture) : "n/a";
}
