// `pipeline bench` through the real parser: unknown configurations are refused before anything is measured. The
// measuring itself is covered by the engine's EngineBenchmarkTests (the command only composes those pieces).
namespace Pipeline.Cli.Tests.Commands;

public sealed class BenchCommandsTests
{
    [Fact]
    public void Engine_UnknownConfig_FailsWithoutMeasuring()
    {
        var (exitCode, output, error) = CliInvocation.Invoke("bench", "engine", "--config", "large", "--json");

        Assert.NotEqual(0, exitCode);
        Assert.DoesNotContain("\"config\"", output);
        Assert.Contains("large", error);
    }
}
