// Progress as Spectre.Console bars redrawn in place on a terminal's stderr: description, bar, percentage, elapsed and
// remaining time (both as the row's owner measured them, running on between updates), and the row's count and figures. Event lines print above the bars, which stay at the bottom. The
// display runs from construction to Stop, across everything a verb does (a bootstrap, then the campaign).
using System.Diagnostics;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Pipeline.Cli.Progress;

/// <summary>Draws progress rows as live bars on an interactive console.</summary>
internal sealed class LiveProgressDisplay : IProgressDisplay
{
    readonly Lock _gate = new();
    readonly IAnsiConsole _console;
    readonly TaskCompletionSource _stop = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly Task _running;
    readonly ProgressContext _context;
    readonly Dictionary<string, ProgressTask> _tasks = new(StringComparer.Ordinal);
    readonly Dictionary<string, List<string>> _keysBySource = new(StringComparer.Ordinal);
    bool _stopped;

    /// <summary>Starts drawing on <paramref name="console"/>, which must support ANSI and be interactive.</summary>
    public LiveProgressDisplay(IAnsiConsole console)
    {
        _console = console;
        var ready = new TaskCompletionSource<ProgressContext>(TaskCreationOptions.RunContinuationsAsynchronously);
        var progress = console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(
                new TaskDescriptionColumn { Alignment = Justify.Left },
                new ProgressBarColumn { Width = 30 },
                new PercentageColumn(),
                new ElapsedColumn(),
                new RemainingColumn(),
                new DetailColumn());
        _running = progress.StartAsync(async context =>
        {
            ready.SetResult(context);
            await _stop.Task;
        });
        // The action runs at once unless the console refuses (another live display is active): then the start fails.
        Task.WhenAny(ready.Task, _running).GetAwaiter().GetResult();
        if (!ready.Task.IsCompleted) _running.GetAwaiter().GetResult();
        _context = ready.Task.Result;
    }

    /// <inheritdoc />
    public void Show(string source, IReadOnlyList<ProgressRow> rows)
    {
        lock (_gate)
        {
            if (_stopped) return;
            var previous = _keysBySource.GetValueOrDefault(source) ?? [];
            foreach (var gone in previous.Except(rows.Select(r => r.Key), StringComparer.Ordinal))
            {
                _context.RemoveTask(_tasks[gone]);
                _tasks.Remove(gone);
            }
            ProgressTask? before = null;
            foreach (var row in rows)
            {
                if (!_tasks.TryGetValue(row.Key, out var task))
                {
                    // A new row goes right after the row listed before it, so a source's rows keep their order.
                    var settings = new ProgressTaskSettings { AutoStart = true, MaxValue = Math.Max(row.Total, 1) };
                    task = before is null
                        ? _context.AddTask(Markup.Escape(row.Description), settings)
                        : _context.AddTaskAfter(Markup.Escape(row.Description), settings, before);
                    _tasks[row.Key] = task;
                }
                Draw(task, row);
                before = task;
            }
            _keysBySource[source] = rows.Select(r => r.Key).ToList();
        }
    }

    static void Draw(ProgressTask task, ProgressRow row)
    {
        task.Tag = new Drawn(row, Stopwatch.GetTimestamp());
        task.Description = Markup.Escape(row.Description);
        task.MaxValue = Math.Max(row.Total, 1);
        task.Value = Math.Min(row.Done, task.MaxValue);
        // A single unit under way (an evaluation) cannot show a part done: it pulses until it is.
        task.IsIndeterminate = row.Total <= 1 && row.Done <= 0 && row.Elapsed is not null;
    }

    /// <inheritdoc />
    public void WriteLine(string line)
    {
        lock (_gate)
        {
            if (_stopped)
                _console.Profile.Out.Writer.WriteLine(line);
            else
                _console.WriteLine(line);
        }
    }

    /// <inheritdoc />
    public void WriteDetail(string line)
    {
        // The bars show what runs; the dispatch lines would only push them around.
    }

    /// <inheritdoc />
    public void Stop()
    {
        lock (_gate)
        {
            if (_stopped) return;
            _stopped = true;
        }
        _context.Refresh();
        _stop.TrySetResult();
        _running.GetAwaiter().GetResult();
    }

    /// <inheritdoc />
    public void Dispose() => Stop();

    /// <summary>A row as drawn, and when it arrived (a running row's elapsed time goes on from there).</summary>
    sealed record Drawn(ProgressRow Row, long ArrivedAt);

    /// <summary>
    /// Time the row's work has taken: as its owner measured it, plus the time since for work still running; nothing for work
    /// not started.
    /// </summary>
    sealed class ElapsedColumn : ProgressColumn
    {
        /// <inheritdoc />
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        {
            if (task.Tag is not Drawn { Row.Elapsed: { } elapsed } drawn) return new Text("--:--", new Style(Color.Grey));
            var time = drawn.Row.IsFinished ? elapsed : elapsed + Stopwatch.GetElapsedTime(drawn.ArrivedAt);
            return new Text(ProgressRow.Clock(time), new Style(Color.Yellow));
        }

        /// <inheritdoc />
        public override int? GetColumnWidth(RenderOptions options) => 8;
    }

    /// <summary>
    /// Time left as the row's owner estimated it, counting down since the row arrived; nothing before there is an estimate
    /// (a pace measured over the display's own samples would guess wildly between a campaign's events).
    /// </summary>
    sealed class RemainingColumn : ProgressColumn
    {
        /// <inheritdoc />
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        {
            if (task.IsFinished) return new Text("done", new Style(Color.Green));
            var remaining = task.Tag is Drawn { Row.Remaining: { } estimate } drawn
                ? TimeSpan.FromTicks(Math.Max(0, (estimate - Stopwatch.GetElapsedTime(drawn.ArrivedAt)).Ticks))
                : (TimeSpan?)null;
            return remaining is { } time
                ? new Text($"eta {ProgressRow.Clock(time)}", new Style(Color.Blue))
                : new Text("eta --:--", new Style(Color.Grey));
        }

        /// <inheritdoc />
        public override int? GetColumnWidth(RenderOptions options) => 12;
    }

    /// <summary>The row's count and figures (loss, tokens/s, rollouts/s, accuracy).</summary>
    sealed class DetailColumn : ProgressColumn
    {
        /// <inheritdoc />
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        {
            if (task.Tag is not Drawn { Row: var row }) return Text.Empty;
            var text = row.Detail.Length > 0 ? $"{row.Count}  {row.Detail}" : row.Count;
            return new Text(text) { Overflow = Overflow.Ellipsis };
        }
    }
}
