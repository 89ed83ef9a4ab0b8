// Runs the `pipeline` command tree in process with stdout and stderr captured, the way the program does (a command line
// that does not parse gets the program's one error line): the verb tests' one way to call the CLI; and the assertion
// every bad-input test makes about what the user sees.
using System.CommandLine;
using System.Text.RegularExpressions;
using Pipeline.Cli.Commands;

namespace Pipeline.Cli.Tests.Commands;

internal static class CliInvocation
{
    /// <summary>Parses and runs <paramref name="args"/> synchronously.</summary>
    public static (int ExitCode, string Output, string Error) Invoke(params string[] args)
    {
        var (configuration, output, error) = Capture();
        int exitCode = PipelineCommand.Invoke(args, configuration);
        return (exitCode, output.ToString(), error.ToString());
    }

    /// <summary>Parses and runs <paramref name="args"/> without blocking a thread (the hosted verbs).</summary>
    public static async Task<(int ExitCode, string Output, string Error)> InvokeAsync(params string[] args)
    {
        var (configuration, output, error) = Capture();
        int exitCode = await PipelineCommand.InvokeAsync(args, configuration);
        return (exitCode, output.ToString(), error.ToString());
    }

    /// <summary>
    /// Asserts what bad input shows: exit code 1, nothing on stdout, and on stderr exactly one line, starting with
    /// "error: " and <paramref name="expectedStart"/>, without a stack trace or an exception's type name. Returns the line.
    /// </summary>
    public static string AssertOneLineError((int ExitCode, string Output, string Error) result, string expectedStart)
    {
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Output);
        var line = Assert.Single(result.Error.TrimEnd('\n', '\r').Split('\n'));
        Assert.StartsWith("error: " + expectedStart, line);
        Assert.DoesNotContain("   at ", result.Error);
        Assert.DoesNotMatch(new Regex(@"\w+Exception\b|System\.\w+"), line);
        return line;
    }

    static (InvocationConfiguration Configuration, StringWriter Output, StringWriter Error) Capture()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        return (new InvocationConfiguration { Output = output, Error = error }, output, error);
    }
}
