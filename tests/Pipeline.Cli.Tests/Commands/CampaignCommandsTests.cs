// `pipeline run`, `worker` and `campaign` through the real parser: a tiny embedded campaign completes and prints its
// metrics table; bad input (unknown recipe, malformed file, missing base model, unknown stage or campaign, a broker that
// cannot be reached) gives exactly one error line and a non-zero exit, never a stack trace.
using Pipeline.Learning.Bootstrap;
using Pipeline.Learning.Tasks.Arith;
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
        var rows = output.Split('\n').Where(l => l.Contains("d2s1")).ToList();
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
}
