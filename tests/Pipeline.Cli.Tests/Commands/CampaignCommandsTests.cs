// `pipeline run`, `worker` and `campaign` through the real parser: a tiny embedded campaign completes and prints its
// metrics table; bad input (unknown recipe, malformed, empty or truncated file, a folder where a file goes, missing or
// corrupt base model, unknown stage or campaign, an invalid id, a configuration that is empty or not JSON, a store folder
// that is a file, a broker that cannot be reached) gives exactly one error line and a non-zero exit, never a stack trace.
using Pipeline.Learning.Bootstrap;
using Pipeline.Learning.Tasks.Arith;
using static Pipeline.Cli.Tests.Commands.BrokenModelFolder;
using static Pipeline.Cli.Tests.Commands.CliInvocation;

namespace Pipeline.Cli.Tests.Commands;

public sealed class CampaignCommandsTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "pipeline-cli-tests", Guid.NewGuid().ToString("N"));

    public CampaignCommandsTests() => Directory.CreateDirectory(_folder);

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    private static void AssertOneErrorLine(int exitCode, string error, string expected)
    {
        Assert.NotEqual(0, exitCode);
        var line = Assert.Single(error.TrimEnd().Split('\n'));
        Assert.StartsWith("error: ", line);
        Assert.Contains(expected, line);
        Assert.DoesNotContain("   at ", error);
    }

    private string File(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    /// <summary>A configuration that points the bus at a closed port with a short start timeout, and the store at the temp folder.</summary>
    private string UnreachableBrokerConfig() => File("unreachable.json", $$"""
        {
          "Bus": { "Transport": "RabbitMq", "RabbitMq": { "Host": "127.0.0.1", "Port": 1 }, "StartTimeout": "3s" },
          "Storage": { "Kind": "Folder", "Folder": { "Root": "{{Path.Combine(_folder, "store").Replace("\\", "/")}}" } },
          "Stages": { "CacheDirectory": "{{Path.Combine(_folder, "cache").Replace("\\", "/")}}" }
        }
        """);

    private string TinyBaseModel()
    {
        var folder = Path.Combine(_folder, "base");
        BaseModelTrainer.Train(new ArithTask(), new BootstrapOptions { Steps = 2 }, folder);
        return folder;
    }

    [Fact]
    public async Task Run_TinyCampaign_CompletesAndPrintsPerIterationMetrics()
    {
        var baseModel = TinyBaseModel();
        var campaign = File("tiny.json", """
            {"recipe": "intuitor", "iterations": 2, "promptsPerIteration": 4, "shards": 2, "samplesPerPrompt": 2, "maxNewTokens": 16,
             "update": {"steps": 2, "stepsPerChunk": 1, "promptsPerStep": 2, "microBatchSize": 4},
             "evaluation": {"problemsPerDifficulty": 2, "samples": 1, "difficulties": ["d2s1"]}}
            """);

        var (exitCode, output, error) = await InvokeAsync("run", campaign, "--runs", Path.Combine(_folder, "runs"), "--base-model", baseModel);

        Assert.Equal(0, exitCode);
        Assert.Contains("iteration 2: policy updated", error);
        var rows = output.Split('\n').Where(l => l.Contains("d2s1")).ToList();
        Assert.Equal(3, rows.Count);
        Assert.Equal(["0", "1", "2"], rows.Select(r => r.Split('│', StringSplitOptions.TrimEntries)[1]));
    }

    [Theory]
    [InlineData("intuitor")]
    [InlineData("self-rewarding")]
    public async Task Run_TinyCampaignOnTorchBackend_CompletesAndPrintsPerIterationMetrics(string recipe)
    {
        // The same embedded campaign with every model pass on libtorch (GRPO through intuitor, DPO through self-rewarding).
        var baseModel = TinyBaseModel();
        var campaign = File("torch.json", $$$"""
            {"recipe": "{{{recipe}}}", "backend": "torch", "iterations": 2, "promptsPerIteration": 4, "shards": 2, "samplesPerPrompt": 2,
             "maxNewTokens": 16, "judging": {"samples": 1},
             "update": {"steps": 2, "stepsPerChunk": 1, "promptsPerStep": 2, "microBatchSize": 4},
             "evaluation": {"problemsPerDifficulty": 2, "samples": 1, "difficulties": ["d2s1"]}}
            """);

        var (exitCode, output, error) = await InvokeAsync("run", campaign, "--runs", Path.Combine(_folder, "runs"), "--base-model", baseModel);

        Assert.True(exitCode == 0, error);
        // The run is in this process: libtorch was loaded (and given its threads) by the backend, the only code that does.
        Assert.True(Pipeline.Backends.Torch.Runtime.TorchRuntime.Threads > 0, "libtorch was never initialised");
        Assert.Contains("iteration 2: policy updated", error);
        // The main metrics table (self-rewarding then also prints its judge on its own samples, per iteration).
        var rows = output.Split('\n').TakeWhile(l => !l.StartsWith("the policy as judge", StringComparison.Ordinal)).Where(l => l.Contains("d2s1")).ToList();
        Assert.Equal(["0", "1", "2"], rows.Select(r => r.Split('│', StringSplitOptions.TrimEntries)[1]));
    }

    [Fact]
    public async Task Run_UnknownBackend_OneErrorLine()
    {
        var campaign = File("gpu.json", """{"recipe": "intuitor", "backend": "gpu"}""");

        var (exitCode, _, error) = await InvokeAsync("run", campaign, "--runs", _folder);

        AssertOneErrorLine(exitCode, error, "backend");
    }

    [Fact]
    public async Task Run_UnknownRecipe_OneErrorLine()
    {
        var (exitCode, output, error) = await InvokeAsync("run", "poetry", "--runs", _folder);

        AssertOneErrorLine(exitCode, error, "'poetry' is neither a campaign file nor a built-in recipe");
        Assert.Equal("", output);
    }

    [Fact]
    public async Task Run_MalformedCampaignFile_OneErrorLineNamingTheKey()
    {
        var campaign = File("bad.json", """{"recipe": "rlsf", "iterations": "three"}""");

        var (exitCode, _, error) = await InvokeAsync("run", campaign, "--runs", _folder);

        AssertOneErrorLine(exitCode, error, "iterations");
    }

    [Fact]
    public async Task Run_UnknownKey_OneErrorLine()
    {
        var campaign = File("unknown.json", """{"recipe": "rlsf", "iteratoins": 2}""");

        var (exitCode, _, error) = await InvokeAsync("run", campaign, "--runs", _folder);

        AssertOneErrorLine(exitCode, error, "iteratoins");
    }

    [Fact]
    public async Task Run_MissingBaseModel_OneErrorLine()
    {
        var (exitCode, _, error) = await InvokeAsync("run", "intuitor", "--runs", _folder, "--base-model", Path.Combine(_folder, "absent"));

        AssertOneErrorLine(exitCode, error, "does not exist");
    }

    [Fact]
    public async Task CampaignStart_MissingBaseModel_OneErrorLineBeforeTheBrokerIsTried()
    {
        var (exitCode, _, error) = await InvokeAsync("campaign", "start", "rlsf", "--base-model", Path.Combine(_folder, "absent"),
            "--config", UnreachableBrokerConfig());

        AssertOneErrorLine(exitCode, error, "Base model folder");
    }

    [Fact]
    public async Task CampaignStart_BrokerUnreachable_OneErrorLine()
    {
        var (exitCode, _, error) = await InvokeAsync("campaign", "start", "rlsf", "--base-model", TinyBaseModel(), "--config", UnreachableBrokerConfig());

        AssertOneErrorLine(exitCode, error, "127.0.0.1");
    }

    [Fact]
    public async Task Worker_BrokerUnreachable_OneErrorLine()
    {
        var (exitCode, _, error) = await InvokeAsync("worker", "--stage", "pairs", "--config", UnreachableBrokerConfig());

        Assert.NotEqual(0, exitCode);
        var errorLines = error.TrimEnd().Split('\n').Where(l => l.StartsWith("error: ", StringComparison.Ordinal)).ToList();
        Assert.Contains("127.0.0.1", Assert.Single(errorLines));
        // The bus's connection warnings are log lines with their cause, not stack traces.
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public async Task Worker_UnknownStage_OneErrorLine()
    {
        var (exitCode, _, error) = await InvokeAsync("worker", "--stage", "painting");

        AssertOneErrorLine(exitCode, error, "Unknown stage 'painting'");
    }

    [Fact]
    public async Task CampaignStatus_UnknownCampaign_OneErrorLine()
    {
        var (exitCode, _, error) = await InvokeAsync("campaign", "status", "nope", "--config", UnreachableBrokerConfig());

        AssertOneErrorLine(exitCode, error, "No campaign 'nope'");
    }

    [Fact]
    public async Task CampaignList_EmptyStore_SaysSo()
    {
        var (exitCode, output, _) = await InvokeAsync("campaign", "list", "--config", UnreachableBrokerConfig());

        Assert.Equal(0, exitCode);
        Assert.Equal("no campaigns", output.Trim());
    }

    [Fact]
    public async Task Worker_MalformedConfig_OneErrorLine()
    {
        var config = File("broken.json", "{ \"Bus\": ");

        var (exitCode, _, error) = await InvokeAsync("worker", "--stage", "pairs", "--config", config);

        AssertOneErrorLine(exitCode, error, "broken.json");
    }

    [Fact]
    public async Task Run_EmptyCampaignFile_OneLineError()
    {
        var campaign = File("empty.json", "");

        CliInvocation.AssertOneLineError(await InvokeAsync("run", campaign, "--runs", _folder),
            $"{campaign} is empty; expected a JSON object with at least \"recipe\".");
    }

    [Fact]
    public async Task Run_TruncatedCampaignFile_OneLineErrorWithThePosition()
    {
        var campaign = File("cut.json", "{\"recipe\": \"rlsf\",\n \"iterations\": ");

        CliInvocation.AssertOneLineError(await InvokeAsync("run", campaign, "--runs", _folder), $"{campaign}: not valid JSON (line 2, byte ");
    }

    [Fact]
    public async Task Run_CampaignIsAFolder_OneLineError()
    {
        CliInvocation.AssertOneLineError(await InvokeAsync("run", _folder, "--runs", Path.Combine(_folder, "runs")),
            $"'{_folder}' is a folder; expected a campaign file (JSON) or a built-in recipe (");
    }

    [Fact]
    public async Task Run_RunsIsAFile_OneLineErrorBeforeAnyBootstrap()
    {
        var runs = File("runs.txt", "");

        CliInvocation.AssertOneLineError(await InvokeAsync("run", "rlsf", "--runs", runs),
            $"--runs {runs} is a file; expected a folder (it is created when missing).");
    }

    [Theory]
    [InlineData("0", "--iterations must be at least 1.")]
    [InlineData("three", "--iterations expects a whole number, got 'three'. See 'pipeline run --help'.")]
    public async Task Run_IterationsOutOfRange_OneLineError(string iterations, string expected)
    {
        CliInvocation.AssertOneLineError(await InvokeAsync("run", "rlsf", "--iterations", iterations, "--runs", _folder), expected);
    }

    [Fact]
    public async Task Run_BaseModelWithNaNWeights_OneLineErrorNamingTheUsersFileBeforeTheCampaignStarts()
    {
        var baseModel = TinyBaseModel();
        SetWeight(baseModel, "model.norm.weight", 0, float.NaN);

        CliInvocation.AssertOneLineError(await InvokeAsync("run", "rlsf", "--runs", Path.Combine(_folder, "runs"), "--base-model", baseModel),
            $"{Weights(baseModel)}: tensor 'model.norm.weight' holds NaN at element 0");
        Assert.False(Directory.Exists(Path.Combine(_folder, "runs", "campaigns")));
    }

    [Fact]
    public async Task CampaignStart_BaseModelWeightsNotSafetensors_OneLineErrorBeforeTheBrokerIsTried()
    {
        var baseModel = TinyBaseModel();
        WeightsAreText(baseModel);

        CliInvocation.AssertOneLineError(await InvokeAsync("campaign", "start", "rlsf", "--base-model", baseModel, "--config", UnreachableBrokerConfig()),
            $"{Weights(baseModel)}: not a safetensors file (header length ");
    }

    [Fact]
    public async Task CampaignStart_InvalidId_OneLineError()
    {
        CliInvocation.AssertOneLineError(await InvokeAsync("campaign", "start", "rlsf", "--base-model", TinyBaseModel(), "--id", "My Campaign",
            "--config", UnreachableBrokerConfig()), "Campaign id 'My Campaign' must be 1 to 63 lowercase letters, digits and '-'");
    }

    [Theory]
    [InlineData("", "is empty; expected a JSON object (Bus, Storage, Stages sections).")]
    [InlineData("{ \"Bus\": ", "is not valid JSON (line 1, byte ")]
    [InlineData("[1, 2]", "is not a JSON object (Bus, Storage, Stages sections).")]
    public async Task CampaignStatus_BadConfigFile_OneLineErrorNamingIt(string text, string expected)
    {
        var config = File("config.json", text);

        CliInvocation.AssertOneLineError(await InvokeAsync("campaign", "status", "x", "--config", config), $"Configuration file '{config}' {expected}");
    }

    [Fact]
    public async Task CampaignList_ConfigIsAFolder_OneLineError()
    {
        CliInvocation.AssertOneLineError(await InvokeAsync("campaign", "list", "--config", _folder),
            $"Configuration file '{_folder}' is a folder; expected a JSON file.");
    }

    [Fact]
    public async Task CampaignList_StoreFolderIsAFile_OneLineErrorNamingTheFile()
    {
        var file = File("store.txt", "");
        var config = File("file-store.json", """{"Storage": {"Kind": "Folder", "Folder": {"Root": """ + System.Text.Json.JsonSerializer.Serialize(file) + "}}}");

        CliInvocation.AssertOneLineError(await InvokeAsync("campaign", "list", "--config", config),
            $"Store folder '{file}' cannot be created: '{file}' is a file.");
    }

    [Theory]
    [InlineData("status")]
    [InlineData("resume")]
    [InlineData("cancel")]
    public async Task Campaign_IdThatIsAPath_OneLineError(string verb)
    {
        CliInvocation.AssertOneLineError(await InvokeAsync("campaign", verb, "../x", "--config", UnreachableBrokerConfig()),
            "'../x' is not a campaign id (lowercase letters, digits and '-').");
    }

    [Theory]
    [InlineData("resume")]
    [InlineData("cancel")]
    public async Task Campaign_UnknownId_OneLineError(string verb)
    {
        CliInvocation.AssertOneLineError(await InvokeAsync("campaign", verb, "nope", "--config", UnreachableBrokerConfig()),
            "No campaign 'nope' in the store.");
    }
}
