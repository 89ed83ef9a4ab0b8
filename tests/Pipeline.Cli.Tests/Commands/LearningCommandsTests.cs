// Runs `pipeline bootstrap` and `pipeline eval` through the real parser: a two-step bootstrap writes a model folder that
// eval reads and reports per difficulty as JSON, with its progress as plain lines on a captured stderr; unknown tasks,
// missing folders, corrupt weights and counts out of range fail with one error line.
using System.Text.Json.Nodes;
using Pipeline.Engine.Model;
using Pipeline.Engine.Tokenization;
using static Pipeline.Cli.Tests.Commands.BrokenModelFolder;
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
        var progress = bootError.TrimEnd().Split('\n');
        Assert.StartsWith("bootstrap 1/2 steps  loss ", progress[0]);
        Assert.StartsWith("bootstrap 2/2 steps  loss ", progress[^1]);
        Assert.DoesNotContain('\u001b', bootError);
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

    [Fact]
    public void Eval_NaNWeights_OneLineErrorNamingTheTensorBeforeEvaluating()
    {
        var tokenizer = CharacterTokenizerBuilder.Build("0123456789+=");
        LlamaModel.Create(ModelConfig.Llama(vocabSize: tokenizer.VocabularySize, hiddenSize: 16, intermediateSize: 24, numLayers: 1,
            numHeads: 2, numKeyValueHeads: 2, maxPositionEmbeddings: 64), seed: 5).Save(_folder);
        tokenizer.Save(Tokenizer(_folder));
        SetWeight(_folder, "model.norm.weight", 3, float.NaN);

        AssertOneLineError(Invoke("eval", "--task", "arith", "--model", _folder),
            $"{Weights(_folder)}: tensor 'model.norm.weight' holds NaN at element 3 (1 of its 16 values are not finite); the weights are corrupt.");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    public void Eval_SamplesBelowOne_OneLineError(string samples)
    {
        AssertOneLineError(Invoke("eval", "--task", "arith", "--model", _folder, "--samples", samples),
            $"--samples must be at least 1, got {samples}. See 'pipeline eval --help'.");
    }

    [Fact]
    public void Bootstrap_NegativeSteps_OneLineError()
    {
        AssertOneLineError(Invoke("bootstrap", "--task", "arith", "--out", _folder, "--steps", "-1"),
            "--steps must be at least 1, got -1. See 'pipeline bootstrap --help'.");
        Assert.False(Directory.Exists(_folder));
    }

    [Fact]
    public void Bootstrap_OutIsAFile_OneLineErrorBeforeTraining()
    {
        Directory.CreateDirectory(_folder);
        var file = Path.Combine(_folder, "model.txt");
        File.WriteAllText(file, "");

        AssertOneLineError(Invoke("bootstrap", "--task", "arith", "--out", file, "--steps", "2"),
            $"--out {file} is a file; expected a folder (it is created when missing).");
    }

    [Fact]
    public void Bootstrap_MissingTask_OneLineErrorNamingTheOption()
    {
        AssertOneLineError(Invoke("bootstrap", "--out", _folder), "Option '--task' is required. See 'pipeline bootstrap --help'.");
    }
}
