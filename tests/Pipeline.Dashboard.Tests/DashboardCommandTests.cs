// `pipeline dashboard` in process, on a real socket: it serves the pages on a free loopback port until cancelled, and
// refuses an address beyond loopback without a token, in one error line.
using System.CommandLine;
using System.Text.RegularExpressions;
using Pipeline.Cli.Commands;

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
