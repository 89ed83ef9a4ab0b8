// Runs `pipeline model score` and `pipeline model sample` through the real parser on a tiny random model saved with a
// character tokenizer in a temp folder, and checks bad folders fail with one error line and a non-zero exit code.
using System.Text.Json.Nodes;
using Pipeline.Engine.Model;
using Pipeline.Engine.Sampling;
using Pipeline.Engine.Tokenization;
using static Pipeline.Cli.Tests.Commands.CliInvocation;

namespace Pipeline.Cli.Tests.Commands;

public sealed class ModelCommandsTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "pipeline-cli-tests", Guid.NewGuid().ToString("N"));
    private readonly ModelTokenizer _tokenizer = CharacterTokenizerBuilder.Build("abcdefgh =+0123456789");
    private readonly LlamaModel _model;

    public ModelCommandsTests()
    {
        var config = ModelConfig.Llama(vocabSize: _tokenizer.VocabularySize, hiddenSize: 16, intermediateSize: 24, numLayers: 2,
            numHeads: 4, numKeyValueHeads: 2, maxPositionEmbeddings: 64);
        _model = LlamaModel.Create(config, seed: 3);
        _model.Save(_folder);
        _tokenizer.Save(Path.Combine(_folder, "tokenizer.json"));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Score_Json_PrintsEachResponseTokenWithTheScorersStatisticsAndMeans()
    {
        var (exitCode, output, error) = Invoke("model", "score", "--model", _folder, "--prompt", "1+2=", "--response", "3 ab", "--json");

        Assert.Equal(0, exitCode);
        Assert.Equal("", error);
        ScoredResponse expected = ResponseScorer.Score(LlamaModel.Load(_folder), _tokenizer.Encode("1+2="), _tokenizer.Encode("3 ab"));
        JsonNode root = JsonNode.Parse(output)!;
        JsonArray tokens = root["tokens"]!.AsArray();
        Assert.Equal(["3", " ", "a", "b"], tokens.Select(t => t!["token"]!.GetValue<string>()));
        for (int i = 0; i < tokens.Count; i++)
        {
            Assert.Equal(expected.Tokens[i].LogProb, tokens[i]!["logProb"]!.GetValue<float>());
            Assert.Equal(expected.Tokens[i].Entropy, tokens[i]!["entropy"]!.GetValue<float>());
            Assert.Equal(expected.Tokens[i].SelfCertainty, tokens[i]!["selfCertainty"]!.GetValue<float>());
        }

        Assert.Equal(expected.MeanSelfCertainty, root["mean"]!["selfCertainty"]!.GetValue<double>(), 12);
        Assert.Equal(expected.MeanLogProb, root["mean"]!["logProb"]!.GetValue<double>(), 12);
    }

    [Fact]
    public void Score_Table_ListsTokensAndTheMeanRow()
    {
        var (exitCode, output, _) = Invoke("model", "score", "--model", _folder, "--prompt", "ab", "--response", "cd");

        Assert.Equal(0, exitCode);
        Assert.Contains("self-certainty", output);
        Assert.Contains("mean", output);
        Assert.Equal(4, output.Split('\n').Count(line => line.Contains('│') && (line.Contains(" c ") || line.Contains(" d ") || line.Contains("mean") || line.Contains("token"))));
    }

    [Fact]
    public void Sample_Json_IsReproducibleForASeedAndGivesNSamples()
    {
        string[] args = ["model", "sample", "--model", _folder, "--prompt", "ab", "-n", "3", "--temperature", "1.2", "--seed", "7",
            "--max-new-tokens", "5", "--json"];
        var (exitCode, output, error) = Invoke(args);
        var (_, again, _) = Invoke(args);

        Assert.Equal(0, exitCode);
        Assert.Equal("", error);
        Assert.Equal(output, again);
        JsonArray samples = JsonNode.Parse(output)!.AsArray();
        Assert.Equal(3, samples.Count);
        Assert.All(samples, s =>
        {
            int count = s!["tokens"]!.AsArray().Count;
            Assert.True(count is >= 1 and <= 5);
            string reason = s["finishReason"]!.GetValue<string>();
            Assert.True(reason == "stop" || (reason == "length" && count == 5), $"{reason} after {count} tokens");
        });
    }

    [Fact]
    public void SampleAndScore_TorchBackend_SameOutputAsManaged()
    {
        // The model's logits differ between the backends only by float rounding, so the seeded samples and the printed
        // statistics (4 decimals) agree.
        string[] sample = ["model", "sample", "--model", _folder, "--prompt", "1+2=", "-n", "3", "--temperature", "0.9", "--seed", "5", "--max-new-tokens", "12"];
        string[] score = ["model", "score", "--model", _folder, "--prompt", "1+2=", "--response", "3 ab"];

        var managed = Invoke(sample);
        var torch = Invoke([.. sample, "--backend", "torch"]);
        var managedScore = Invoke(score);
        var torchScore = Invoke([.. score, "--backend", "torch"]);

        Assert.Equal(0, torch.ExitCode);
        Assert.Equal(managed.Output, torch.Output);
        Assert.Equal(0, torchScore.ExitCode);
        Assert.Equal(managedScore.Output, torchScore.Output);
    }

    [Fact]
    public void Sample_UnknownBackend_Refused()
    {
        var (exitCode, _, error) = Invoke("model", "sample", "--model", _folder, "--prompt", "ab", "--backend", "gpu");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("gpu", error);
    }

    [Fact]
    public void Sample_Text_PrintsOneHeaderPerSample()
    {
        var (exitCode, output, _) = Invoke("model", "sample", "--model", _folder, "--prompt", "ab", "-n", "2", "--max-new-tokens", "3");

        Assert.Equal(0, exitCode);
        Assert.StartsWith("[0] ", output);
        Assert.Contains("\n[1] ", output);
    }

    [Fact]
    public void Score_MissingFolder_FailsWithOneErrorLine()
    {
        AssertFailsCleanly(Invoke("model", "score", "--model", Path.Combine(_folder, "nope"), "--prompt", "a", "--response", "b"));
    }

    [Fact]
    public void Sample_MalformedConfig_FailsWithOneErrorLine()
    {
        File.WriteAllText(Path.Combine(_folder, "config.json"), "{ \"vocab_size\": ");

        var result = Invoke("model", "sample", "--model", _folder, "--prompt", "a");

        AssertFailsCleanly(result);
        Assert.Contains("config.json", result.Error);
    }

    [Fact]
    public void Sample_MissingTokenizer_FailsWithOneErrorLine()
    {
        File.Delete(Path.Combine(_folder, "tokenizer.json"));

        var result = Invoke("model", "sample", "--model", _folder, "--prompt", "a");

        AssertFailsCleanly(result);
        Assert.Contains("tokenizer.json", result.Error);
    }

    [Fact]
    public void Score_CharacterOutsideTheAlphabet_FailsWithOneErrorLine()
    {
        AssertFailsCleanly(Invoke("model", "score", "--model", _folder, "--prompt", "a", "--response", "Z"));
    }

    [Fact]
    public void Sample_NegativeTemperature_FailsWithOneErrorLine()
    {
        AssertFailsCleanly(Invoke("model", "sample", "--model", _folder, "--prompt", "a", "--temperature", "-1"));
    }

    private static void AssertFailsCleanly((int ExitCode, string Output, string Error) result)
    {
        Assert.NotEqual(0, result.ExitCode);
        string[] lines = result.Error.TrimEnd().Split('\n');
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        Assert.DoesNotContain("   at ", result.Error);
    }
}
