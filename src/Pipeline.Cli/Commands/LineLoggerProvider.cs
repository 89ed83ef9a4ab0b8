// The CLI's log format: one line per entry, "HH:mm:ss warn: Category: message (cause)". A warning's exception adds only its
// innermost message (a broker that refuses connections is a cause, not a bug, and its stack trace would bury the line);
// an error keeps the whole exception, which is what a developer needs. The embedded run sends the lines to its progress
// display, so a log entry never tears the live bars; the other verbs write them to stderr.
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Pipeline.Cli.Commands;

/// <summary>Writes log entries as lines through <paramref name="writeLine"/>.</summary>
/// <param name="writeLine">Takes each line; called from any thread.</param>
internal sealed class LineLoggerProvider(Action<string> writeLine) : ILoggerProvider
{
    readonly Lock _gate = new();

    /// <summary>Lines to <paramref name="error"/> (a verb's stderr), one at a time from whichever thread logs.</summary>
    internal static LineLoggerProvider To(TextWriter error) => new(error.WriteLine);

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new LineLogger(line =>
    {
        lock (_gate) writeLine(line);
    }, categoryName);

    /// <inheritdoc />
    public void Dispose()
    {
    }

    /// <summary>The line of one entry.</summary>
    internal static string Format(DateTime time, LogLevel level, string category, string message, Exception? exception)
    {
        if (exception is not null)
        {
            var cause = level >= LogLevel.Error ? exception.ToString() : exception.GetBaseException().Message;
            if (!message.Contains(cause, StringComparison.Ordinal))
                message = $"{message} ({cause})";
        }
        return $"{time.ToString("HH:mm:ss", CultureInfo.InvariantCulture)} {Level(level)}: {category}: {message.ReplaceLineEndings(" ")}";
    }

    static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        _ => "crit",
    };

    sealed class LineLogger(Action<string> writeLine, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
                writeLine(Format(DateTime.Now, logLevel, category, formatter(state, exception), exception));
        }
    }
}
