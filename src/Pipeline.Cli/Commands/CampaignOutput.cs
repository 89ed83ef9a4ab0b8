// How campaign states read on a console: the status summary (per iteration and stage: done/total, failures with their
// reasons), the campaign list, and the per-iteration metrics table printed at the end of `pipeline run`.
using System.Globalization;
using System.Text.Json;
using Pipeline.Stages;
using Pipeline.Contracts;
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Orchestration;
using Spectre.Console;

namespace Pipeline.Cli.Commands;

/// <summary>Text renderings of campaign states.</summary>
internal static class CampaignOutput
{
    /// <summary>The state document as JSON (what <c>campaign status --json</c> prints).</summary>
    internal static string Json(CampaignState state) => JsonSerializer.Serialize(state, StoredJson.Document);

    /// <summary>A few lines: status, then per iteration its stages as done/total, then each failure on its own line.</summary>
    internal static void WriteStatus(TextWriter output, CampaignState state)
    {
        output.WriteLine($"campaign {state.CampaignId}: {state.Recipe}, {Status(state)}");
        foreach (var iteration in state.IterationStates)
        {
            var stages = string.Join("  ", iteration.Stages.OrderBy(s => Order(s.Key)).Select(s =>
                $"{s.Key} {s.Value.Done}/{s.Value.Total}{(s.Value.Failures.Count > 0 ? " FAILED" : "")}"));
            var accuracy = iteration.Evaluation is { } evaluation
                ? "  greedy " + string.Join(" ", evaluation.Select(d => $"{d.Difficulty}={Number(d.GreedyAccuracy)}"))
                : "";
            output.WriteLine($"  iteration {iteration.Iteration}: {stages}{accuracy}");
        }
        foreach (var (iteration, stage, failure) in state.Failures())
            output.WriteLine($"  failed: iteration {iteration} {stage} shard {failure.Shard} at {failure.At:u}: {failure.Message}");
    }

    /// <summary>One row per campaign.</summary>
    internal static void WriteList(TextWriter output, IReadOnlyList<CampaignState> states)
    {
        if (states.Count == 0)
        {
            output.WriteLine("no campaigns");
            return;
        }
        var table = new Table().AddColumns("id", "recipe", "status", "iteration", "failures", "created (UTC)");
        foreach (var state in states)
        {
            table.AddRow(state.CampaignId, state.Recipe, state.Status.ToString().ToLowerInvariant(),
                $"{Math.Min(state.CurrentIteration, state.Iterations)}/{state.Iterations}",
                state.Failures().Count().ToString(CultureInfo.InvariantCulture), state.CreatedAt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
        }
        Write(output, table);
    }

    /// <summary>Per iteration (0: the base model) and held-out difficulty, the evaluation figures, and the update's final loss.</summary>
    internal static void WriteMetrics(TextWriter output, CampaignState state, int samples)
    {
        var table = new Table().AddColumns("iter", "difficulty", "greedy", $"maj@{samples}", "ECE", "self-cert.", "SC AUROC", "length",
            "judge acc.", "update loss");
        foreach (var iteration in state.IterationStates.Where(i => i.Evaluation is not null))
        {
            var loss = iteration.UpdateMetrics?.GetValueOrDefault("loss", double.NaN) ?? double.NaN;
            var first = true;
            foreach (DifficultyMetrics d in iteration.Evaluation!)
            {
                table.AddRow(first ? iteration.Iteration.ToString(CultureInfo.InvariantCulture) : "", d.Difficulty, Number(d.GreedyAccuracy),
                    Number(d.MajorityAccuracy), Number(d.Ece), Number(d.MeanSelfCertainty), Number(d.SelfCertaintyAuroc),
                    Number(d.MeanResponseTokens, "0.0"), Number(d.JudgeAccuracy), first ? Number(loss, "0.0000") : "");
                first = false;
            }
        }
        Write(output, table);
        WriteSelfCorrection(output, state);
        WriteSampleJudge(output, state);
    }

    /// <summary>For campaigns that measure it: per iteration and difficulty the policy's accuracy and within-prompt AUROC as judge of its own samples.</summary>
    internal static void WriteSampleJudge(TextWriter output, CampaignState state)
    {
        var rows = state.IterationStates.Where(i => i.Evaluation is not null)
            .SelectMany(i => i.Evaluation!.Where(d => double.IsFinite(d.SampleJudgeAccuracy)).Select(d => (i.Iteration, d)))
            .ToList();
        if (rows.Count == 0) return;
        var table = new Table().AddColumns("iter", "difficulty", "judge acc. on samples", "judge AUROC within prompt");
        int? previous = null;
        foreach (var (iteration, d) in rows)
        {
            table.AddRow(iteration == previous ? "" : iteration.ToString(CultureInfo.InvariantCulture), d.Difficulty, Number(d.SampleJudgeAccuracy),
                Number(d.SampleJudgeAuroc));
            previous = iteration;
        }
        output.WriteLine("the policy as judge of its own maj@k samples (against the verifier):");
        Write(output, table);
    }

    /// <summary>
    /// For campaigns that evaluate a second attempt: per iteration and difficulty Acc@t1, Acc@t2, Δ, Δ(i→c) and Δ(c→i);
    /// nothing otherwise.
    /// </summary>
    internal static void WriteSelfCorrection(TextWriter output, CampaignState state)
    {
        var rows = state.IterationStates.Where(i => i.Evaluation is not null)
            .SelectMany(i => i.Evaluation!.Where(d => d.SelfCorrection is not null).Select(d => (i.Iteration, d.Difficulty, d.SelfCorrection!)))
            .ToList();
        if (rows.Count == 0) return;
        var table = new Table().AddColumns("iter", "difficulty", "Acc@t1", "Acc@t2", "Δ", "Δ(i→c)", "Δ(c→i)");
        int? previous = null;
        foreach (var (iteration, difficulty, c) in rows)
        {
            table.AddRow(iteration == previous ? "" : iteration.ToString(CultureInfo.InvariantCulture), difficulty, Number(c.FirstAttemptAccuracy),
                Number(c.SecondAttemptAccuracy), Number(c.Delta, "+0.000;-0.000;0.000"), Number(c.IncorrectToCorrect), Number(c.CorrectToIncorrect));
            previous = iteration;
        }
        output.WriteLine("self-correction (greedy first attempt, then a greedy second attempt on the correction prompt):");
        Write(output, table);
    }

    /// <summary>
    /// Per iteration, the seconds of compute of each stage (summed over shards or chunks; the evaluation of iteration n
    /// measures its policy) and generation's tokens per second, so a campaign's cost is visible.
    /// </summary>
    internal static void WriteTiming(TextWriter output, CampaignState state)
    {
        var stages = StageDefinitions.All.Select(s => s.Name).Where(name => state.IterationStates.Any(i => i.StageSeconds().ContainsKey(name))).ToList();
        if (stages.Count == 0) return;
        var table = new Table().AddColumns(["iter", .. stages.Select(s => $"{s} s"), "total s", "gen tok/s"]);
        foreach (var iteration in state.IterationStates.OrderBy(i => i.Iteration))
        {
            var seconds = iteration.StageSeconds();
            if (seconds.Count == 0) continue;
            double tokens = iteration.ShardSummaries.GetValueOrDefault(CampaignStage.Generation.Name())?.Values
                .Sum(s => s.GetValueOrDefault("mean_tokens") * s.GetValueOrDefault("rollouts")) ?? 0;
            double generation = seconds.GetValueOrDefault(CampaignStage.Generation.Name());
            table.AddRow([iteration.Iteration.ToString(CultureInfo.InvariantCulture),
                .. stages.Select(s => seconds.TryGetValue(s, out var v) ? Number(v, "0.0") : ""),
                Number(seconds.Values.Sum(), "0.0"), generation > 0 ? Number(tokens / generation, "0") : ""]);
        }
        output.WriteLine("compute seconds per stage (summed over shards and chunks; stages of one iteration may overlap in time):");
        Write(output, table);
    }

    static string Status(CampaignState state) => state.Status switch
    {
        CampaignStatus.Completed => $"completed ({state.Iterations} iterations)",
        CampaignStatus.Cancelled => $"cancelled at iteration {Math.Min(state.CurrentIteration, state.Iterations)}/{state.Iterations}",
        _ => $"running, iteration {Math.Min(state.CurrentIteration, state.Iterations)}/{state.Iterations}"
            + (state.Failures().Any() ? $", {state.Failures().Count()} failed unit(s)" : ""),
    };

    static int Order(string stage) => CampaignStages.TryParse(stage) is { } parsed ? (int)parsed : int.MaxValue;

    static string Number(double value, string format = "0.000") =>
        double.IsFinite(value) ? value.ToString(format, CultureInfo.InvariantCulture) : "n/a";

    static void Write(TextWriter output, Table table)
    {
        IAnsiConsole console = CommandSupport.Console(output);
        console.Profile.Width = 140;
        console.Write(table);
    }
}
