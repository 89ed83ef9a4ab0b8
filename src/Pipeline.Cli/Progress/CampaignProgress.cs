// Follows an embedded campaign through the orchestrator's reconciles: each event becomes a line, each state becomes rows
// (the campaign's iterations; per iteration in flight, each stage's shards or chunks with its figures; a finished
// iteration folded into one row with its accuracy), and the run learns when the campaign has ended.
using System.Globalization;
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Orchestration;
using Pipeline.Stages.Work;

namespace Pipeline.Cli.Progress;

/// <summary>
/// The observer of <c>pipeline run</c>: reports every reconcile of <see cref="CampaignId"/> to a display, and completes
/// <see cref="Finished"/> when the campaign ends, or (with <paramref name="endOnFailure"/>) at its first failure.
/// </summary>
/// <param name="display">Where lines and rows go.</param>
/// <param name="definition">The campaign, for the update's step count.</param>
/// <param name="endOnFailure">Whether a failed unit ends the wait (nothing would retry it without a dashboard).</param>
/// <param name="clock">Time source of the rows' elapsed times.</param>
internal sealed class CampaignProgress(IProgressDisplay display, CampaignDefinition definition, bool endOnFailure, TimeProvider clock)
    : ICampaignObserver
{
    /// <summary>The display source name of the campaign's rows.</summary>
    internal const string Source = "campaign";

    readonly Lock _gate = new();
    readonly TaskCompletionSource<CampaignState> _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly RowTimes _times = new(clock);

    /// <summary>An observer on the system clock.</summary>
    public CampaignProgress(IProgressDisplay display, CampaignDefinition definition, bool endOnFailure)
        : this(display, definition, endOnFailure, TimeProvider.System)
    {
    }

    /// <summary>The final state: completed, cancelled, or failed when failures end the run.</summary>
    public Task<CampaignState> Finished => _finished.Task;

    /// <summary>The campaign followed; the store may hold others that the orchestrator reconciles too.</summary>
    public string? CampaignId { get; set; }

    /// <inheritdoc />
    public void OnReconciled(CampaignState state, string? cause, IReadOnlyList<DispatchIntent> dispatched)
    {
        if (state.CampaignId != CampaignId) return;
        lock (_gate)
        {
            var time = DateTime.Now.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
            if (cause is not null)
                display.WriteLine($"{time} {cause}");
            foreach (var group in dispatched.GroupBy(d => (d.Iteration, d.Stage)))
            {
                var what = group.Key.Stage == CampaignStage.Update ? "chunk" : "shard";
                display.WriteDetail($"{time}   -> iteration {group.Key.Iteration}: {group.Key.Stage.Name()} {what} {string.Join(",", group.Select(d => d.Shard))}");
            }
            display.Show(Source, Rows(state, definition, _times));
        }
        if (state.Status != CampaignStatus.Running || (endOnFailure && state.Failures().Any()))
            _finished.TrySetResult(state);
    }

    /// <summary>
    /// The rows of <paramref name="state"/>: the campaign's iterations; a finished iteration as one row; of each iteration
    /// that has started (its start policy exists) and is not finished, one row per stage; later iterations not yet. Each
    /// row's elapsed time runs from the first reconcile that saw its work sent or done to the first that saw it finished.
    /// </summary>
    internal static IReadOnlyList<ProgressRow> Rows(CampaignState state, CampaignDefinition definition, RowTimes times)
    {
        var finishedIterations = state.IterationStates.Count(i => i.Iteration >= 1 && i.Evaluation is not null);
        var failures = state.Failures().Count();
        var rows = new List<ProgressRow>
        {
            new(Source, $"campaign {state.Recipe}", finishedIterations, Math.Max(state.Iterations, 1), "iterations")
            {
                Detail = state.Status switch
                {
                    CampaignStatus.Running => failures > 0 ? $"{failures} failed unit(s)" : "",
                    var status => status.ToString().ToLowerInvariant(),
                },
                Elapsed = times.Elapsed(Source, started: true, finished: state.Status != CampaignStatus.Running),
            },
        };
        rows[0] = rows[0] with { Remaining = Remaining(rows[0]) };
        foreach (var iteration in state.IterationStates.OrderBy(i => i.Iteration))
        {
            var stages = iteration.Stages.Where(s => s.Value.Total > 0)
                .OrderBy(s => CampaignStages.TryParse(s.Key) is { } stage ? (int)stage : int.MaxValue).ToList();
            var name = iteration.Iteration == 0 ? "iter 0 (base)" : $"iter {iteration.Iteration}";
            var key = $"{iteration.Iteration}";
            var started = stages.Any(s => s.Value.Done > 0 || s.Value.Dispatched.Count > 0);
            if (iteration.Evaluation is not null && stages.All(s => s.Value.Done >= s.Value.Total))
            {
                var seconds = iteration.StageSeconds().Values.Sum();
                rows.Add(new ProgressRow(key, name, stages.Count, Math.Max(stages.Count, 1), "stages")
                {
                    Detail = Join(Accuracy(iteration), seconds > 0 ? $"{Number(seconds, "0")} s compute" : ""),
                    Elapsed = times.Elapsed(key, started: true, finished: true),
                });
                continue;
            }
            times.Elapsed(key, started, finished: false);
            if (iteration.Iteration > 0 && iteration.StartPolicy is null) continue;
            foreach (var (stage, progress) in stages)
            {
                var stageKey = $"{iteration.Iteration}/{stage}";
                var running = progress.Dispatched.Count;
                var stageStarted = progress.Done > 0 || running > 0;
                var finished = progress.Done >= progress.Total;
                var row = new ProgressRow(stageKey, $"{name} {stage}", progress.Done, progress.Total, Unit(stage))
                {
                    Detail = Join(finished || running == 0 ? "" : $"{running} running", StageFigures(iteration, stage, definition), Failure(progress),
                        stageStarted ? "" : "waiting"),
                    Elapsed = times.Elapsed(stageKey, stageStarted, finished),
                };
                rows.Add(row with { Remaining = Remaining(row) });
            }
        }
        return rows;
    }

    /// <summary>Time left at the pace so far (elapsed per unit done), once a unit is done; null before, and when finished.</summary>
    static TimeSpan? Remaining(ProgressRow row) =>
        row.Elapsed is { } elapsed && row.Done > 0 && !row.IsFinished ? elapsed / row.Done * (row.Total - row.Done) : null;

    static string Unit(string stage) => stage == CampaignStage.Update.Name() ? "chunks"
        : stage == CampaignStage.Evaluation.Name() ? "evaluation" : "shards";

    /// <summary>What a stage has measured so far: rollouts and their rate, generation's tokens/s, pairs, the update's step and loss.</summary>
    static string StageFigures(IterationState iteration, string stage, CampaignDefinition definition)
    {
        if (stage == CampaignStage.Update.Name())
        {
            if (iteration.ChunkMetrics.Count == 0) return "";
            var last = iteration.ChunkMetrics.MaxBy(c => c.Key).Value;
            return Join(last.TryGetValue("step", out var step) ? $"step {Number(step, "0")}/{definition.Update.Steps}" : "",
                last.TryGetValue("loss", out var loss) ? $"loss {Number(loss, "0.0000")}" : "");
        }
        if (stage == CampaignStage.Evaluation.Name())
            return Accuracy(iteration);
        if (iteration.ShardSummaries.GetValueOrDefault(stage) is not { Count: > 0 } shards) return "";
        var seconds = shards.Values.Sum(s => s.GetValueOrDefault(StageTiming.WallSeconds));
        var rollouts = shards.Values.Sum(s => s.GetValueOrDefault("rollouts"));
        var figures = new List<string>();
        if (rollouts > 0)
        {
            figures.Add($"{Number(rollouts, "0")} rollouts");
            if (seconds > 0) figures.Add($"{Rate(rollouts / seconds)} rollouts/s");
        }
        if (stage == CampaignStage.Generation.Name() && seconds > 0)
            figures.Add($"{Rate(shards.Values.Sum(s => s.GetValueOrDefault("mean_tokens") * s.GetValueOrDefault("rollouts")) / seconds)} tok/s");
        if (shards.Values.Any(s => s.ContainsKey("pairs")))
            figures.Add($"{Number(shards.Values.Sum(s => s.GetValueOrDefault("pairs")), "0")} pairs");
        return string.Join("  ", figures);
    }

    static string Accuracy(IterationState iteration) => iteration.Evaluation is { } evaluation
        ? "greedy " + string.Join(" ", evaluation.Select(d => $"{d.Difficulty}={Number(d.GreedyAccuracy, "0.000")}"))
        : "";

    static string Failure(StageProgress progress) => progress.Failures.Count == 0 ? ""
        : $"FAILED shard {progress.Failures[0].Shard}: {progress.Failures[0].Message}";

    static string Join(params string[] parts) => string.Join("  ", parts.Where(p => p.Length > 0));

    /// <summary>A rate with one decimal below 10 per second, whole numbers above.</summary>
    static string Rate(double perSecond) => Number(perSecond, perSecond < 10 ? "0.0" : "0");

    static string Number(double value, string format) =>
        double.IsFinite(value) ? value.ToString(format, CultureInfo.InvariantCulture) : "n/a";
}

/// <summary>
/// When each row's work was first seen started and first seen finished, so a row's elapsed time is its work's and not the
/// display's (a stage that waits for its inputs does not count the wait).
/// </summary>
/// <param name="clock">Time source.</param>
internal sealed class RowTimes(TimeProvider clock)
{
    readonly Dictionary<string, (DateTimeOffset Start, DateTimeOffset? End)> _times = new(StringComparer.Ordinal);

    /// <summary>Records what is seen of <paramref name="key"/> now; returns its elapsed time, or null before it started.</summary>
    public TimeSpan? Elapsed(string key, bool started, bool finished)
    {
        var now = clock.GetUtcNow();
        if (!_times.TryGetValue(key, out var time))
        {
            if (!started && !finished) return null;
            _times[key] = time = (now, null);
        }
        if (finished && time.End is null)
            _times[key] = time = (time.Start, now);
        return (time.End ?? now) - time.Start;
    }
}
