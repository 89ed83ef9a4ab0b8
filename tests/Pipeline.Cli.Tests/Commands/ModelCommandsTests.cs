// Runs `pipeline model score` and `pipeline model sample` through the real parser on a tiny random model saved with a
// character tokenizer in a temp folder, and checks bad input fails with one error line naming the file or option and what
// is wrong, and exit code 1: broken folders (weights that are not safetensors, cut short, of another dtype, missing a
// tensor, of the wrong shape, NaN or infinite; config and tokenizer that do not parse), prompts beyond the model's
// context, and option values out of range.
using System.Text.Json.Nodes;
using Pipeline.Engine.Model;
using Pipeline.Engine.Sampling;
using Pipeline.Engine.Tokenization;
using static Pipeline.Cli.Tests.Commands.BrokenModelFolder;
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

    [Fact]
    public void Sample_WeightsThatAreText_OneLineErrorNamingTheFile()
    {
        WeightsAreText(_folder);

        AssertOneLineError(Invoke("model", "sample", "--model", _folder, "--prompt", "ab"),
            $"{Weights(_folder)}: not a safetensors file (header length ");
    }

    [Fact]
    public void Score_EmptyWeights_OneLineErrorNamingTheFile()
    {
        WeightsAreEmpty(_folder);

        var line = AssertOneLineError(Invoke("model", "score", "--model", _folder, "--prompt", "ab", "--response", "c"),
            $"{Weights(_folder)}: not a safetensors file (0 bytes; it starts with an 8-byte header length).");
        Assert.EndsWith("length).", line);
    }

    [Fact]
    public void Sample_TruncatedWeights_OneLineErrorNamingTheFileAndTensor()
    {
        WeightsCutInHalf(_folder);

        var line = AssertOneLineError(Invoke("model", "sample", "--model", _folder, "--prompt", "ab"),
            $"{Weights(_folder)}: truncated safetensors file: tensor '");
        Assert.Contains("bytes of data", line);
    }

    [Fact]
    public void Sample_UnsupportedDType_OneLineErrorNamingTheTensor()
    {
        var tensor = FirstTensorDType(_folder, "I64");

        AssertOneLineError(Invoke("model", "sample", "--model", _folder, "--prompt", "ab"),
            $"{Weights(_folder)}: tensor '{tensor}' has unsupported dtype 'I64' (F32, F16, BF16 only).");
    }

    [Fact]
    public void Sample_MissingTensor_OneLineErrorNamingIt()
    {
        RewriteTensors(_folder, tensors => tensors.Where(t => t.Name != "model.norm.weight").ToList());

        AssertOneLineError(Invoke("model", "sample", "--model", _folder, "--prompt", "ab"),
            $"{Weights(_folder)}: the tensors do not match config.json. Missing 1: model.norm.weight.");
    }

    [Fact]
    public void Sample_ConfigNotMatchingTheTensorShapes_OneLineErrorNamingTheTensor()
    {
        SetConfig(_folder, "intermediate_size", 32);

        var line = AssertOneLineError(Invoke("model", "sample", "--model", _folder, "--prompt", "ab"),
            $"{Weights(_folder)}: tensor 'model.layers.0.mlp.");
        Assert.Contains("config needs [32, 16]", line);
    }

    [Fact]
    public void Score_NaNWeight_OneLineErrorNamingTheTensorBeforeAnyWork()
    {
        SetWeight(_folder, "model.layers.1.mlp.down_proj.weight", 5, float.NaN);

        AssertOneLineError(Invoke("model", "score", "--model", _folder, "--prompt", "ab", "--response", "c"),
            $"{Weights(_folder)}: tensor 'model.layers.1.mlp.down_proj.weight' holds NaN at element 5 (1 of its 384 values are not finite); the weights are corrupt.");
    }

    [Fact]
    public void Sample_InfiniteWeight_OneLineErrorNamingTheTensor()
    {
        SetWeight(_folder, "model.embed_tokens.weight", 0, float.NegativeInfinity);

        AssertOneLineError(Invoke("model", "sample", "--model", _folder, "--prompt", "ab"),
            $"{Weights(_folder)}: tensor 'model.embed_tokens.weight' holds an infinity at element 0 (1 of its ");
    }

    [Fact]
    public void Sample_WeightsAFolder_OneLineErrorNamingIt()
    {
        File.Delete(Weights(_folder));
        Directory.CreateDirectory(Weights(_folder));

        AssertOneLineError(Invoke("model", "sample", "--model", _folder, "--prompt", "ab"),
            $"{Weights(_folder)} is a folder; expected a safetensors file.");
    }

    [Fact]
    public void Sample_ConfigNotJson_OneLineErrorWithThePosition()
    {
        File.WriteAllText(Config(_folder), "{ \"vocab_size\": ");

        AssertOneLineError(Invoke("model", "sample", "--model", _folder, "--prompt", "ab"), $"{Config(_folder)}: not valid JSON (line 1, byte ");
    }

    [Fact]
    public void Sample_ConfigValueOfTheWrongKind_OneLineErrorNamingTheKey()
    {
        SetConfig(_folder, "hidden_size", "big");

        AssertOneLineError(Invoke("model", "sample", "--model", _folder, "--prompt", "ab"),
            $"{Config(_folder)}: 'hidden_size' must be a whole number, got \"big\".");
    }

    [Fact]
    public void Sample_TokenizerThatIsNotATokenizer_OneLineErrorNamingIt()
    {
        File.WriteAllText(Tokenizer(_folder), "[1, 2, 3]");

        AssertOneLineError(Invoke("model", "sample", "--model", _folder, "--prompt", "ab"),
            $"{Tokenizer(_folder)}: not a tokenizer.json this engine reads (expected an object with a BPE 'model' section and its vocabulary).");
    }

    [Fact]
    public void Score_EmptyTokenizer_OneLineErrorNamingIt()
    {
        File.WriteAllText(Tokenizer(_folder), "");

        AssertOneLineError(Invoke("model", "score", "--model", _folder, "--prompt", "ab", "--response", "c"),
            $"{Tokenizer(_folder)} is empty; expected a tokenizer.json.");
    }

    [Fact]
    public void Score_ModelFolderIsAFile_OneLineError()
    {
        AssertOneLineError(Invoke("model", "score", "--model", Config(_folder), "--prompt", "ab", "--response", "c"),
            $"Model folder '{Config(_folder)}' is a file; expected a folder with config.json, model.safetensors and tokenizer.json.");
    }

    [Fact]
    public void Sample_PromptLongerThanTheContext_OneLineErrorNamingTheLimit()
    {
        var prompt = string.Concat(Enumerable.Repeat("ab", 35));

        AssertOneLineError(Invoke("model", "sample", "--model", _folder, "--prompt", prompt),
            $"The prompt is 70 tokens, but the model's context holds 64 (max_position_embeddings in {Config(_folder)}); shorten the prompt.");
    }

    [Fact]
    public void Sample_NewTokensBeyondTheContext_OneLineErrorSayingHowManyFit()
    {
        var prompt = string.Concat(Enumerable.Repeat("ab", 20));

        AssertOneLineError(Invoke("model", "sample", "--model", _folder, "--prompt", prompt, "--max-new-tokens", "30"),
            $"The prompt (40 tokens) leaves room for 25 new tokens in the model's context of 64 (max_position_embeddings in {Config(_folder)}); "
            + "lower --max-new-tokens (now 30) or shorten the prompt.");
    }

    [Fact]
    public void Score_PromptAndResponseBeyondTheContext_OneLineError()
    {
        var text = string.Concat(Enumerable.Repeat("ab", 20));

        AssertOneLineError(Invoke("model", "score", "--model", _folder, "--prompt", text, "--response", text),
            "The prompt (40 tokens) and the response (40 tokens) do not fit the model's context of 64 tokens");
    }

    [Theory]
    [InlineData("-n", "0", "-n must be at least 1, got 0.")]
    [InlineData("--temperature", "-1", "--temperature must be a number ≥ 0 (0 is greedy), got -1.")]
    [InlineData("--top-k", "-1", "--top-k must be ≥ 0 (0 keeps all), got -1.")]
    [InlineData("--top-p", "0", "--top-p must be in (0, 1], got 0.")]
    [InlineData("--top-p", "1.5", "--top-p must be in (0, 1], got 1.5.")]
    [InlineData("--max-new-tokens", "0", "--max-new-tokens must be at least 1, got 0.")]
    [InlineData("--seed", "-1", "--seed expects a whole number ≥ 0, got '-1'.")]
    [InlineData("-n", "two", "-n expects a whole number, got 'two'.")]
    public void Sample_OptionOutOfRange_OneLineErrorNamingTheOption(string option, string value, string expected)
    {
        AssertOneLineError(Invoke("model", "sample", "--model", _folder, "--prompt", "ab", option, value),
            $"{expected} See 'pipeline model sample --help'.");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-2")]
    public void Score_TemperatureNotPositive_OneLineError(string temperature)
    {
        AssertOneLineError(Invoke("model", "score", "--model", _folder, "--prompt", "ab", "--response", "c", "--temperature", temperature),
            $"--temperature must be a number > 0, got {temperature}. See 'pipeline model score --help'.");
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
