// The `pipeline` command tree in one place, so the program and the in-process verb tests parse exactly the same verbs,
// and report a command line that does not parse the way every verb reports bad input: one `error:` line, exit code 1.
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;

namespace Pipeline.Cli.Commands;

/// <summary>Builds the root command with every verb, and invokes it.</summary>
internal static partial class PipelineCommand
{
    /// <summary>The root command: run, worker, campaign, dashboard, model, bench, the learning verbs and the operations verbs.</summary>
    internal static RootCommand Create()
    {
        var root = new RootCommand("Pipeline: self-improvement campaigns for language models.");
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(WorkerCommand.Create());
        root.Subcommands.Add(CampaignCommands.Create());
        root.Subcommands.Add(DashboardCommand.Create());
        root.Subcommands.Add(ModelCommands.Create());
        root.Subcommands.Add(BenchCommands.Create());
        foreach (var command in LearningCommands.Create()) root.Subcommands.Add(command);
        foreach (var command in ScienceCommands.Create()) root.Subcommands.Add(command);
        foreach (var command in OperationsCommands.Create()) root.Subcommands.Add(command);
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>; a command line that does not parse gets one error line and exit code 1.</summary>
    internal static async Task<int> InvokeAsync(string[] args, InvocationConfiguration? configuration = null, CancellationToken cancellationToken = default)
    {
        configuration ??= new InvocationConfiguration();
        var parse = Create().Parse(args);
        return ParseErrorLine(parse) is { } line
            ? Refuse(configuration, line)
            : await parse.InvokeAsync(configuration, cancellationToken);
    }

    /// <summary>The synchronous <see cref="InvokeAsync"/>.</summary>
    internal static int Invoke(string[] args, InvocationConfiguration? configuration = null)
    {
        configuration ??= new InvocationConfiguration();
        var parse = Create().Parse(args);
        return ParseErrorLine(parse) is { } line ? Refuse(configuration, line) : parse.Invoke(configuration);
    }

    static int Refuse(InvocationConfiguration configuration, string line)
    {
        configuration.Error.WriteLine(line);
        return 1;
    }

    /// <summary>
    /// The one line that reports <paramref name="parse"/>'s errors (each message, .NET type names replaced by what the value
    /// should be, and where to read more), or null when it has none or asked for help.
    /// </summary>
    internal static string? ParseErrorLine(ParseResult parse)
    {
        if (parse.Errors.Count == 0) return null;
        var command = CommandPath(parse.CommandResult);
        // An unknown word's own error says more than the others it causes (such as "Required command was not provided").
        var aboutUnmatched = parse.Errors.Where(e => parse.UnmatchedTokens.Any(t => e.Message.Contains($"'{t}'", StringComparison.Ordinal))).ToList();
        var messages = (aboutUnmatched.Count > 0 ? aboutUnmatched : parse.Errors).Select(Message).Distinct().ToList();
        if (parse.CommandResult.Command is { Action: null, Subcommands.Count: > 0 } group && parse.UnmatchedTokens.Count == 0)
            messages = [$"'{command}' needs a subcommand: {string.Join(", ", group.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))}."];
        return $"error: {string.Join(" ", messages)} See '{command} --help'.";
    }

    static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? current = result; current is not null; current = current.Parent)
            if (current is CommandResult c) names.Insert(0, c.Command is RootCommand ? "pipeline" : c.Command.Name);
        return string.Join(" ", names);
    }

    static string Message(ParseError error)
    {
        var message = Whitespace().Replace(error.Message, " ").Trim();
        // "Cannot parse argument 'x' for option '--n' as expected type 'System.Int32'": say what a valid value looks like.
        var typed = ExpectedType().Match(message);
        if (!typed.Success) return message;
        var what = typed.Groups["type"].Value switch
        {
            var t when t.Contains("UInt", StringComparison.Ordinal) => "a whole number ≥ 0",
            var t when t.Contains("Int32", StringComparison.Ordinal) || t.Contains("Int64", StringComparison.Ordinal) => "a whole number",
            var t when t.Contains("Single", StringComparison.Ordinal) || t.Contains("Double", StringComparison.Ordinal) => "a number",
            var t when t.Contains("Boolean", StringComparison.Ordinal) => "true or false",
            _ => "a value of another kind",
        };
        return $"{typed.Groups["symbol"].Value} expects {what}, got '{typed.Groups["value"].Value}'.";
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"^Cannot parse argument '(?<value>.*)' for (option|argument) '(?<symbol>[^']+)' as expected type '(?<type>[^']+)'\.$")]
    private static partial Regex ExpectedType();
}
