// Runs `pipeline bootstrap` and `pipeline eval` through the real parser: a two-step bootstrap writes a model folder that
// eval reads and reports per difficulty as JSON; unknown tasks and missing folders fail with one error line.
using System.Text.Json.Nodes;
using static Pipeline.Cli.Tests.Commands.CliInvocation;

namespace Pipeline.Cli.Tests.Commands;

public sealed class LearningCommandsTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "pipeline-cli-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void BootstrapThenEval_Json_ReportsEveryEvaluationDifficulty()
    {
        var (bootExit, bootOutput, bootError) = Invoke("bootstrap", "--task", "arith", "--out", _folder, "--steps", "2");

        Assert.Equal(0, bootExit);
        Assert.Contains("wrote", bootOutput);
        Assert.Contains("step 2/2", bootError);
        foreach (string file in new[] { "config.json", "model.safetensors", "tokenizer.json", "training.json" })
            Assert.True(File.Exists(Path.Combine(_folder, file)), file);

        var (exitCode, output, error) = Invoke("eval", "--model", _folder, "--task", "arith", "--samples", "1", "--json");

        Assert.Equal(0, exitCode);
        Assert.Equal("", error);
        JsonNode root = JsonNode.Parse(output)!;
        var difficulties = root["Difficulties"]!.AsArray();
        Assert.Equal(["d2s1", "d2s2", "d2s3", "d2s4"], difficulties.Select(d => d!["Difficulty"]!.GetValue<string>()));
        Assert.All(difficulties, d => Assert.Equal(1, d!["Samples"]!.GetValue<int>()));
    }

    [Theory]
    [InlineData("bootstrap", "--task", "poetry")]
    [InlineData("eval", "--task", "poetry", "--model", ".")]
    public void UnknownTask_OneErrorLine_NonZeroExit(params string[] args)
    {
        var (exitCode, output, error) = Invoke(args);

        Assert.Equal(1, exitCode);
        Assert.Equal("", output);
        Assert.Equal("error: Unknown task 'poetry': the embedded tasks are: arith.", error.TrimEnd());
    }

    [Fact]
    public void Eval_MissingModelFolder_OneErrorLine()
    {
        var (exitCode, _, error) = Invoke("eval", "--task", "arith", "--model", Path.Combine(_folder, "absent"));

        Assert.Equal(1, exitCode);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.StartsWith("error: ", error);
    }

    [Fact]
    public void Bootstrap_ZeroSteps_Refused()
    {
        var (exitCode, _, error) = Invoke("bootstrap", "--task", "arith", "--out", _folder, "--steps", "0");

        Assert.Equal(1, exitCode);
        Assert.StartsWith("error: ", error);
        Assert.False(Directory.Exists(_folder));
    }
}
