// Progress as log lines, for stderr that is not a terminal (CI, a pipe, a file) or when asked for: every event line, and
// each row that asks for it at most once per its interval, so a log grows by a few lines a minute and never holds
// cursor movements.
namespace Pipeline.Cli.Progress;

/// <summary>Writes progress as plain lines to a writer.</summary>
/// <param name="output">Where the lines go (stderr).</param>
/// <param name="clock">Time source for the rows' line intervals.</param>
internal sealed class PlainProgressDisplay(TextWriter output, TimeProvider clock) : IProgressDisplay
{
    readonly Lock _gate = new();
    readonly Dictionary<string, (long At, bool Finished)> _printed = new(StringComparer.Ordinal);

    /// <summary>A display over <paramref name="output"/> on the system clock.</summary>
    public PlainProgressDisplay(TextWriter output) : this(output, TimeProvider.System)
    {
    }

    /// <inheritdoc />
    public void Show(string source, IReadOnlyList<ProgressRow> rows)
    {
        lock (_gate)
        {
            foreach (var row in rows)
            {
                if (row.PlainInterval is not { } interval) continue;
                var now = clock.GetTimestamp();
                var due = !_printed.TryGetValue(row.Key, out var last)
                    || (row.IsFinished && !last.Finished)
                    || clock.GetElapsedTime(last.At, now) >= interval;
                if (!due || (last.Finished && row.IsFinished)) continue;
                output.WriteLine(row.Line());
                _printed[row.Key] = (now, row.IsFinished);
            }
        }
    }

    /// <inheritdoc />
    public void WriteLine(string line)
    {
        lock (_gate) output.WriteLine(line);
    }

    /// <inheritdoc />
    public void WriteDetail(string line) => WriteLine(line);

    /// <inheritdoc />
    public void Stop()
    {
        lock (_gate) output.Flush();
    }

    /// <inheritdoc />
    public void Dispose() => Stop();
}
