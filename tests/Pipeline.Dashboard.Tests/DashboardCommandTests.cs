// `pipeline dashboard` and `pipeline run --dashboard` in process, on a real socket: they serve the pages on a free
// loopback port until cancelled (the run's pages follow its embedded campaign), and an address beyond loopback without a
// token is refused in one error line.
using System.CommandLine;
using System.Text.RegularExpressions;
using Pipeline.Cli.Commands;
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Tests.Work;

namespace Pipeline.Dashboard.Tests;

public sealed class DashboardCommandTests : IDisposable
{
    readonly string _runs = Path.Combine(Path.GetTempPath(), "pipeline-dashboard-tests", "cli-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Dashboard_LoopbackPort_ServesPagesUntilCancelled()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        using var stop = new CancellationTokenSource();
        var run = PipelineCommand.Create().Parse(["dashboard", "--runs", _runs, "--urls", "http://127.0.0.1:0"])
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, stop.Token);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        Match address;
        while (!(address = Regex.Match(output.ToString(), @"dashboard at (?<url>http://127\.0\.0\.1:\d+)")).Success)
        {
            Assert.False(run.IsCompleted, $"The verb ended: {error}");
            Assert.True(DateTime.UtcNow < deadline, "The dashboard did not say where it listens.");
            await Task.Delay(50);
        }
        using var http = new HttpClient { BaseAddress = new Uri(address.Groups["url"].Value) };
        var page = await http.GetStringAsync("/");
        var api = await http.GetStringAsync("/api/campaigns");
        await stop.CancelAsync();
        var exitCode = await run;

        Assert.Contains("<h1>Campaigns</h1>", page);
        Assert.Contains($"folder {_runs}", page);
        Assert.Equal("[]", api);
        Assert.Equal(0, exitCode);
    }

    [Fact]
    public async Task RunDashboard_EmbeddedCampaign_ServesItsPagesWhileRunningAndAfterUntilStopped()
    {
        Directory.CreateDirectory(_runs);
        var campaignFile = Path.Combine(_runs, "campaign.json");
        await File.WriteAllTextAsync(campaignFile, (TinyCampaign.Small(Recipe.Intuitor) with { Iterations = 1 }).ToJson());
        var output = new StringWriter();
        var progress = new StringWriter();
        using var stop = new CancellationTokenSource();
        var run = PipelineCommand.Create()
            .Parse(["run", campaignFile, "--runs", _runs, "--base-model", await TinyCampaign.BaseFolder.Value, "--dashboard", "--urls", "http://127.0.0.1:0"])
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = progress }, stop.Token);

        var address = (await WaitForAsync(run, progress, @"dashboard at (?<url>http://127\.0\.0\.1:\d+)")).Groups["url"].Value;
        using var http = new HttpClient { BaseAddress = new Uri(address) };
        var listWhileRunning = await http.GetStringAsync("/");
        var id = Regex.Match(listWhileRunning, "<tr data-campaign=\"(?<id>[a-z0-9-]+)\">").Groups["id"].Value;
        await WaitForAsync(run, progress, "the dashboard stays up until Ctrl-C");
        var page = await http.GetStringAsync($"/campaigns/{id}");
        await stop.CancelAsync();
        var exitCode = await run;

        Assert.StartsWith("intuitor-", id);
        Assert.Contains("badge completed", page);
        Assert.Contains($"folder {_runs}", page);
        Assert.Equal(0, exitCode);
        Assert.Contains("update loss", output.ToString());
    }

    /// <summary>Waits until the verb's <paramref name="writer"/> shows <paramref name="pattern"/>; fails if the verb ends first.</summary>
    static async Task<Match> WaitForAsync(Task<int> run, StringWriter writer, string pattern)
    {
        var deadline = DateTime.UtcNow + DashboardFactory.WaitLimit;
        Match match;
        while (!(match = Regex.Match(writer.ToString(), pattern)).Success)
        {
            Assert.False(run.IsCompleted, $"The verb ended before printing '{pattern}':\n{writer}");
            Assert.True(DateTime.UtcNow < deadline, $"The verb did not print '{pattern}' in time:\n{writer}");
            await Task.Delay(50);
        }
        return match;
    }

    [Fact]
    public async Task Dashboard_AllAddressesWithoutToken_RefusesToStartWithOneErrorLine()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var exitCode = await PipelineCommand.Create().Parse(["dashboard", "--runs", _runs, "--urls", "http://0.0.0.0:0"])
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = error });

        Assert.Equal(1, exitCode);
        Assert.Equal("", output.ToString());
        var line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: The dashboard would listen on http://0.0.0.0:0", line);
        Assert.Contains("PIPELINE_DASHBOARD_TOKEN", line);
    }

    public void Dispose()
    {
        if (Directory.Exists(_runs))
            Directory.Delete(_runs, recursive: true);
    }
}
