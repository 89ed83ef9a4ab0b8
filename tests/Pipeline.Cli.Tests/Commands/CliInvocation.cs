// Runs the `pipeline` command tree in process with stdout and stderr captured: the verb tests' one way to call the CLI.
using System.CommandLine;
using Pipeline.Cli.Commands;

namespace Pipeline.Cli.Tests.Commands;

internal static class CliInvocation
{
    /// <summary>Parses and runs <paramref name="args"/> synchronously.</summary>
    public static (int ExitCode, string Output, string Error) Invoke(params string[] args)
    {
        var (configuration, output, error) = Capture();
        int exitCode = PipelineCommand.Create().Parse(args).Invoke(configuration);
        return (exitCode, output.ToString(), error.ToString());
    }

    /// <summary>Parses and runs <paramref name="args"/> without blocking a thread (the hosted verbs).</summary>
    public static async Task<(int ExitCode, string Output, string Error)> InvokeAsync(params string[] args)
    {
        var (configuration, output, error) = Capture();
        int exitCode = await PipelineCommand.Create().Parse(args).InvokeAsync(configuration);
        return (exitCode, output.ToString(), error.ToString());
    }

    static (InvocationConfiguration Configuration, StringWriter Output, StringWriter Error) Capture()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        return (new InvocationConfiguration { Output = output, Error = error }, output, error);
    }
}
