// Which display a verb's progress gets: live bars only when stderr is the process's own terminal, which can move its
// cursor (not TERM=dumb), and nobody asked for plain lines (--no-progress, PIPELINE_PROGRESS=plain); plain lines
// everywhere else: CI, pipes, files, and the in-process tests that capture stderr.
using System.CommandLine;
using Spectre.Console;

namespace Pipeline.Cli.Progress;

/// <summary>Chooses and creates the progress display of an invocation.</summary>
internal static class ProgressDisplays
{
    /// <summary>Environment variable that chooses the display: <c>plain</c>, <c>live</c> or <c>auto</c> (the default).</summary>
    internal const string Variable = "PIPELINE_PROGRESS";

    /// <summary>The <c>--no-progress</c> option of the verbs that show progress.</summary>
    internal static Option<bool> NoProgressOption() => new("--no-progress")
    {
        Description = $"Progress as plain lines instead of live bars (also when stderr is not a terminal, TERM=dumb, or {Variable}=plain).",
    };

    /// <summary>The display for <paramref name="parse"/>'s stderr, honouring <paramref name="noProgress"/> and the environment.</summary>
    /// <exception cref="ArgumentException">The environment variable holds another value than plain, live or auto.</exception>
    internal static IProgressDisplay Create(ParseResult parse, Option<bool> noProgress)
    {
        var error = parse.InvocationConfiguration.Error;
        var terminal = ReferenceEquals(error, System.Console.Error) && !System.Console.IsErrorRedirected;
        var live = IsLive(parse.GetValue(noProgress), Environment.GetEnvironmentVariable(Variable),
            Environment.GetEnvironmentVariable("TERM"), terminal);
        if (!live) return new PlainProgressDisplay(error);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(error),
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.Detect,
            Interactive = InteractionSupport.Yes,
        });
        return new LiveProgressDisplay(console);
    }

    /// <summary>
    /// Whether progress is drawn live: <paramref name="variable"/> <c>live</c> forces it, <c>plain</c> or
    /// <paramref name="noProgress"/> refuse it, and otherwise stderr must be a terminal whose <paramref name="term"/> is not dumb.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="variable"/> is set to something else.</exception>
    internal static bool IsLive(bool noProgress, string? variable, string? term, bool errorIsTerminal)
    {
        var mode = string.IsNullOrWhiteSpace(variable) ? "auto" : variable.Trim().ToLowerInvariant();
        if (mode is not ("auto" or "plain" or "live"))
            throw new ArgumentException($"{Variable}='{variable}' is not one of plain, live, auto.");
        if (noProgress || mode == "plain") return false;
        if (mode == "live") return true;
        return errorIsTerminal && !string.Equals(term, "dumb", StringComparison.OrdinalIgnoreCase);
    }
}
