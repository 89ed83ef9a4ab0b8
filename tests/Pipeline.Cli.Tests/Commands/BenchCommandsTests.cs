// `pipeline bench` through the real parser: unknown configurations are refused before anything is measured. The
// measuring itself is covered by the engine's EngineBenchmarkTests (the command only composes those pieces).
using System.CommandLine;
using Pipeline.Cli.Commands;

namespace Pipeline.Cli.Tests.Commands;

public sealed class BenchCommandsTests
{
    [Fact]
    public void Engine_UnknownConfig_FailsWithoutMeasuring()
    {
        var root = new RootCommand();
        root.Subcommands.Add(BenchCommands.Create());
        var output = new StringWriter();
        var error = new StringWriter();

        int exitCode = root.Parse(["bench", "engine", "--config", "large", "--json"]).Invoke(new InvocationConfiguration { Output = output, Error = error });

        Assert.NotEqual(0, exitCode);
        Assert.DoesNotContain("\"config\"", output.ToString());
        Assert.Contains("large", error.ToString());
    }
}
