// A command line that does not parse, and the verbs whose bad input is caught while parsing (the dashboard's addresses)
// or before their host starts (a store folder that is a file, servers that are down): one `error:` line naming the verb's
// help, exit code 1, nothing on stdout, no .NET type names.
using static Pipeline.Cli.Tests.Commands.CliInvocation;

namespace Pipeline.Cli.Tests.Commands;

public sealed class CommandLineTests : IDisposable
{
    readonly string _folder = Path.Combine(Path.GetTempPath(), "pipeline-cli-tests", Guid.NewGuid().ToString("N"));

    public CommandLineTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    string Config(string name, string json)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void NoVerb_OneLineErrorListingTheVerbs()
    {
        AssertOneLineError(Invoke(), "'pipeline' needs a subcommand: run, worker, campaign, dashboard, model, bench, bootstrap, eval, signals, compare, queues, "
            + "rollouts, stage, report. See 'pipeline --help'.");
    }

    [Fact]
    public void UnknownVerb_OneLineErrorNamingIt()
    {
        AssertOneLineError(Invoke("frobnicate"), "Unrecognized command or argument 'frobnicate'. See 'pipeline --help'.");
    }

    [Fact]
    public void GroupWithoutSubcommand_OneLineErrorListingThem()
    {
        AssertOneLineError(Invoke("campaign"), "'pipeline campaign' needs a subcommand: start, status, list, resume, cancel. See 'pipeline campaign --help'.");
    }

    [Fact]
    public void MissingRequiredOptions_OneLineErrorNamingEach()
    {
        AssertOneLineError(Invoke("eval"), "Option '--model' is required. Option '--task' is required. See 'pipeline eval --help'.");
    }

    [Fact]
    public void UnknownOption_OneLineErrorNamingIt()
    {
        AssertOneLineError(Invoke("queues", "--verbose"), "Unrecognized command or argument '--verbose'. See 'pipeline queues --help'.");
    }

    [Fact]
    public void Help_StillPrintsHelp()
    {
        var (exitCode, output, error) = Invoke("run", "--help");

        Assert.Equal(0, exitCode);
        Assert.Equal("", error);
        Assert.Contains("--no-progress", output);
    }

    [Theory]
    [InlineData("http://127.0.0.1:99999", "--urls 'http://127.0.0.1:99999': the port '99999' is not a number from 0 to 65535.")]
    [InlineData("127.0.0.1:5080", "--urls '127.0.0.1:5080' is not an address such as http://127.0.0.1:5080.")]
    [InlineData(";", "--urls is empty; expected an address such as http://127.0.0.1:5080.")]
    public void Dashboard_BadUrls_OneLineErrorBeforeListening(string urls, string expected)
    {
        AssertOneLineError(Invoke("dashboard", "--runs", _folder, "--urls", urls), $"{expected} See 'pipeline dashboard --help'.");
    }

    [Fact]
    public void RunDashboard_BadUrls_OneLineErrorBeforeAnyBootstrap()
    {
        AssertOneLineError(Invoke("run", "--runs", _folder, "--dashboard", "--urls", "http://localhost:port"),
            "--urls 'http://localhost:port': the port 'port' is not a number from 0 to 65535. See 'pipeline run --help'.");
    }

    [Fact]
    public void Dashboard_RunsIsAFile_OneLineError()
    {
        var file = Config("runs.txt", "");

        AssertOneLineError(Invoke("dashboard", "--runs", file, "--urls", "http://127.0.0.1:0"),
            $"--runs {file} is a file; expected a folder (it is created when missing).");
    }

    [Fact]
    public void Report_StoreFolderIsAFile_OneLineError()
    {
        var file = Config("store.txt", "");
        var config = Config("store.json", """{"Storage": {"Kind": "Folder", "Folder": {"Root": """ + System.Text.Json.JsonSerializer.Serialize(file) + "}}}");

        AssertOneLineError(Invoke("report", "some-campaign", "--config", config), $"Store folder '{file}' cannot be created: '{file}' is a file.");
    }

    [Fact]
    public void StageRetry_BrokerDown_OneLineErrorWithTheCause()
    {
        var config = Config("closed.json", """{"Bus": {"RabbitMq": {"Host": "127.0.0.1", "Port": 1}}}""");

        AssertOneLineError(Invoke("stage", "retry", "--stage", "scoring", "--config", config), "RabbitMQ at guest@127.0.0.1:1/ is unreachable: Connection refused");
    }

    [Fact]
    public void RolloutsPeek_CountBelowOne_OneLineError()
    {
        AssertOneLineError(Invoke("rollouts", "peek", "--stage", "scoring", "--count", "0"),
            "--count must be at least 1, got 0. See 'pipeline rollouts peek --help'.");
    }

    [Fact]
    public void Bench_RepeatBelowOne_OneLineError()
    {
        AssertOneLineError(Invoke("bench", "engine", "--repeat", "0"), "--repeat must be at least 1. See 'pipeline bench engine --help'.");
    }

    [Fact]
    public void Report_OutIsAFile_OneLineErrorBeforeReadingTheStore()
    {
        var file = Config("report.txt", "");

        AssertOneLineError(Invoke("report", "some-campaign", "--out", file, "--config", Config("none.json", "{}")),
            $"--out {file} is a file; expected a folder (it is created when missing).");
    }

    [Fact]
    public async Task Run_BaseModelIsAFile_OneLineError()
    {
        var file = Config("model.bin", "");

        AssertOneLineError(await InvokeAsync("run", "rlsf", "--runs", _folder, "--base-model", file),
            $"Base model folder '{file}' is a file; expected a folder with config.json, model.safetensors and tokenizer.json.");
    }
}
