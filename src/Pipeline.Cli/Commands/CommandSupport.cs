// What every verb shares: one-line errors instead of stack traces, a plain console for tables and progress, and
// loading a model folder.
using System.CommandLine;
using System.Globalization;
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

    /// <summary>
    /// The message of <paramref name="e"/> on one line (the first inner exception of an aggregate). The components name the
    /// file or value in their messages; what .NET appends to an argument exception's message for programmers (the
    /// parameter's name, the actual value) is left out, since the message already says what is wrong.
    /// </summary>
    internal static string OneLine(Exception e)
    {
        if (e is AggregateException { InnerExceptions.Count: > 0 } aggregate)
            e = aggregate.InnerExceptions[0];
        var message = e switch
        {
            Microsoft.Extensions.Options.OptionsValidationException options => string.Join(" ", options.Failures),
            ArgumentException argument => WithoutParameter(argument),
            _ => e.Message,
        };
        return message.ReplaceLineEndings(" ").Trim();
    }

    static string WithoutParameter(ArgumentException e)
    {
        var message = e.Message;
        if (e is ArgumentOutOfRangeException { ActualValue: { } actual })
        {
            var suffix = $"Actual value was {actual}.";
            var at = message.LastIndexOf(suffix, StringComparison.Ordinal);
            if (at >= 0) message = message[..at].TrimEnd();
        }
        if (e.ParamName is { } name)
        {
            var suffix = $" (Parameter '{name}')";
            if (message.EndsWith(suffix, StringComparison.Ordinal)) message = message[..^suffix.Length];
        }
        return message;
    }

    /// <summary>
    /// Loads a model folder (config.json, model.safetensors, tokenizer.json); every problem is an exception whose message
    /// names the file and what is wrong with it.
    /// </summary>
    internal static (IPolicy Model, ModelTokenizer Tokenizer) LoadModelFolder(string directory, IPolicyBackend? backend = null)
    {
        if (File.Exists(directory))
            throw new IOException($"Model folder '{directory}' is a file; expected a folder with config.json, model.safetensors and tokenizer.json.");
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"Model folder '{directory}' does not exist.");

        string tokenizerPath = Path.Combine(directory, "tokenizer.json");
        RequireModelFile(tokenizerPath);
        RequireModelFile(Path.Combine(directory, "config.json"));

        // The engine's loaders name the file and the fault (config.json, each safetensors file and tensor, tokenizer.json).
        IPolicy model = (backend ?? new ManagedPolicyBackend()).Load(directory);
        try
        {
            return (model, BpeTokenizer.Load(tokenizerPath));
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    static void RequireModelFile(string path)
    {
        if (Directory.Exists(path))
            throw new InvalidDataException($"{path} is a folder; expected a file.");
        if (!File.Exists(path))
            throw new FileNotFoundException($"{Path.GetDirectoryName(path)}: no {Path.GetFileName(path)}.");
    }

    /// <summary>
    /// Refuses at parse time a value of <paramref name="option"/> for which <paramref name="valid"/> is false, with the
    /// error "&lt;option&gt; &lt;rule&gt;, got &lt;value&gt;." (before anything is loaded or trained).
    /// </summary>
    internal static Option<T> Where<T>(this Option<T> option, Func<T, bool> valid, string rule)
    {
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count == 0) return;
            T value;
            try
            {
                value = result.GetValueOrDefault<T>();
            }
            catch (InvalidOperationException)
            {
                // The value does not convert at all; the parser reports that on its own.
                return;
            }
            if (!valid(value))
                result.AddError(string.Create(CultureInfo.InvariantCulture, $"{option.Name} {rule}, got {value}."));
        });
        return option;
    }

    /// <summary>
    /// Loads the model of <paramref name="directory"/> once and lets it go, so a base model that is missing a file, holds
    /// corrupt weights or does not match its config is refused with the file named, before a campaign starts on it.
    /// </summary>
    internal static void CheckModelFolder(string directory)
    {
        var (model, _) = LoadModelFolder(directory);
        model.Dispose();
    }

    /// <summary>Refuses a <paramref name="path"/> given to <paramref name="option"/> that exists but is a file, where a folder is written.</summary>
    /// <exception cref="IOException">The path is a file.</exception>
    internal static void RequireFolderPath(string path, string option)
    {
        if (File.Exists(path))
            throw new IOException($"{option} {path} is a file; expected a folder (it is created when missing).");
    }

    /// <summary>Refuses a <paramref name="path"/> given to <paramref name="option"/> that exists but is a folder, where a file is written.</summary>
    /// <exception cref="IOException">The path is a folder.</exception>
    internal static void RequireFilePath(string path, string option)
    {
        if (Directory.Exists(path))
            throw new IOException($"{option} {path} is a folder; expected a file.");
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
