// Where a verb's progress goes: live bars on a terminal, or plain lines in a log. Both take the same calls, so the code that
// follows the work is written once; ProgressDisplays picks one for the invocation.
namespace Pipeline.Cli.Progress;

/// <summary>Draws progress rows and event lines on stderr.</summary>
internal interface IProgressDisplay : IDisposable
{
    /// <summary>
    /// The rows of <paramref name="source"/> are now <paramref name="rows"/>, in this order; a row of the source that is
    /// not listed any more is gone (a finished iteration folded into one row).
    /// </summary>
    void Show(string source, IReadOnlyList<ProgressRow> rows);

    /// <summary>An event worth a line in any display (a stage's event, a warning, where the dashboard listens).</summary>
    void WriteLine(string line);

    /// <summary>A line a log keeps but the live display leaves out, because its bars already show it (which shards were sent).</summary>
    void WriteDetail(string line);

    /// <summary>
    /// Ends the display, leaving its last frame on the terminal; lines written after this go straight to stderr. Call it
    /// before writing results to stdout, which may be the same terminal. Safe to call more than once.
    /// </summary>
    void Stop();
}
