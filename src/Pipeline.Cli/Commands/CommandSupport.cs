// What every verb shares: one-line errors instead of stack traces, a plain console for tables and progress, and
// loading a model folder.
using System.CommandLine;
using System.Text.Json;
using Pipeline.Engine.Model;
using Pipeline.Engine.Tokenization;
using Spectre.Console;

namespace Pipeline.Cli.Commands;

/// <summary>Helpers shared by the verb groups.</summary>
internal static class CommandSupport
{
    /// <summary>Runs an action; expected failures become one line on stderr and exit code 1, never a stack trace.</summary>
    internal static int Run(ParseResult parse, Action action)
    {
        try
        {
            action();
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or JsonException
            or FormatException or ArgumentException or KeyNotFoundException or InvalidOperationException or NotSupportedException)
        {
            parse.InvocationConfiguration.Error.WriteLine($"error: {e.Message.ReplaceLineEndings(" ")}");
            return 1;
        }
    }

    /// <summary>Loads a model folder (config.json, model.safetensors, tokenizer.json); problems become clear exceptions.</summary>
    internal static (LlamaModel Model, BpeTokenizer Tokenizer) LoadModelFolder(string directory)
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

        LlamaModel model;
        try
        {
            model = LlamaModel.Load(directory);
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            throw new InvalidDataException($"{configPath}: {e.Message}", e);
        }

        BpeTokenizer tokenizer;
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
