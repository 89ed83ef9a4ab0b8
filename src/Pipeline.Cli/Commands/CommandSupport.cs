// What every verb shares: one-line errors instead of stack traces, a plain console for tables and progress, and
// loading a model folder.
using System.CommandLine;
using System.Text.Json;
using Pipeline.Engine.Model;
using Pipeline.Engine.Tokenization;
using Pipeline.Learning.Policies;
using Spectre.Console;

namespace Pipeline.Cli.Commands;

/// <summary>Helpers shared by the verb groups.</summary>
internal static class CommandSupport
{
    /// <summary>Runs a synchronous action through <see cref="RunAsync"/>, so every verb reports failures the same way.</summary>
    internal static int Run(ParseResult parse, Action action) =>
        // The action runs to completion before RunAsync first awaits, so the task is already finished here.
        RunAsync(parse, CancellationToken.None, _ =>
        {
            action();
            return Task.CompletedTask;
        }).GetAwaiter().GetResult();

    /// <summary>
    /// Runs an asynchronous action; expected failures (bad input, storage, configuration, an unreachable broker) become one
    /// line on stderr and exit code 1, never a stack trace. Cancellation (Ctrl-C, SIGTERM) ends with exit code 130.
    /// </summary>
    internal static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken, Func<CancellationToken, Task> action)
    {
        try
        {
            await action(cancellationToken);
            return 0;
        }
        catch (Exception e) when (e is InterruptedException || (e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            parse.InvocationConfiguration.Error.WriteLine("interrupted");
            return 130;
        }
        catch (Exception e) when (IsExpected(e))
        {
            parse.InvocationConfiguration.Error.WriteLine($"error: {OneLine(e)}");
            return 1;
        }
    }

    /// <summary>Thrown when a host was told to stop (SIGTERM, Ctrl-C) while a verb waited on it.</summary>
    internal sealed class InterruptedException() : Exception("interrupted");

    /// <summary>Whether <paramref name="e"/> is a failure the user can act on (reported as one line) rather than a bug.</summary>
    static bool IsExpected(Exception e) => e is IOException or UnauthorizedAccessException or InvalidDataException or JsonException
        or FormatException or ArgumentException or KeyNotFoundException or InvalidOperationException or NotSupportedException
        or TimeoutException or OperationCanceledException or Microsoft.Extensions.Options.OptionsValidationException
        or Pipeline.Storage.StorageException or MassTransit.MassTransitException
        || (e is AggregateException { InnerExceptions.Count: > 0 } aggregate && aggregate.InnerExceptions.All(IsExpected));

    /// <summary>The message of <paramref name="e"/> on one line (the first inner exception of an aggregate).</summary>
    static string OneLine(Exception e)
    {
        if (e is AggregateException { InnerExceptions.Count: > 0 } aggregate)
            e = aggregate.InnerExceptions[0];
        var message = e is Microsoft.Extensions.Options.OptionsValidationException options ? string.Join(" ", options.Failures) : e.Message;
        return message.ReplaceLineEndings(" ");
    }

    /// <summary>Loads a model folder (config.json, model.safetensors, tokenizer.json); problems become clear exceptions.</summary>
    internal static (IPolicy Model, ModelTokenizer Tokenizer) LoadModelFolder(string directory, IPolicyBackend? backend = null)
    {
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Model folder '{directory}' does not exist.");
        }

        string tokenizerPath = Path.Combine(directory, "tokenizer.json");
        if (!File.Exists(tokenizerPath))
        {
            throw new FileNotFoundException($"{directory}: no tokenizer.json.");
        }

        string configPath = Path.Combine(directory, "config.json");
        if (!File.Exists(configPath))
        {
            throw new FileNotFoundException($"{directory}: no config.json.");
        }

        IPolicy model;
        try
        {
            model = (backend ?? new ManagedPolicyBackend()).Load(directory);
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            throw new InvalidDataException($"{configPath}: {e.Message}", e);
        }

        ModelTokenizer tokenizer;
        try
        {
            tokenizer = BpeTokenizer.Load(tokenizerPath);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidDataException or KeyNotFoundException)
        {
            throw new InvalidDataException($"{tokenizerPath}: {e.Message}", e);
        }

        return (model, tokenizer);
    }

    /// <summary>A plain (no colour, no ANSI) console over <paramref name="output"/>, so tables read the same in logs and pipes.</summary>
    internal static IAnsiConsole Console(TextWriter output) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(output),
        Ansi = AnsiSupport.No,
        ColorSystem = ColorSystemSupport.NoColors,
        Interactive = InteractionSupport.No,
    });
}
