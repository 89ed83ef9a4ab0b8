// The dashboard in a real browser: Debian's chromium, headless, driven by PuppeteerSharp (never a downloaded browser),
// against an embedded campaign served by Kestrel on a free loopback port. It loads each page, checks what a person
// would look at, sorts and filters, watches a failure appear, presses Retry once the cause is fixed, and sees the page
// follow the campaign to its end without a reload. Screenshots go to .infra/test-results/dashboard-screenshots (or
// PIPELINE_SCREENSHOTS).
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Dashboard.Data;
using Pipeline.Dashboard.Rendering;
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Orchestration;
using Pipeline.Stages.Tests.Work;
using PuppeteerSharp;
using Xunit.Abstractions;

namespace Pipeline.Dashboard.Tests;

public sealed class BrowserTests(ITestOutputHelper log) : IAsyncLifetime
{
    const string Chromium = "/usr/bin/chromium";
    readonly string _profile = Path.Combine(Path.GetTempPath(), "pipeline-dashboard-chromium-" + Guid.NewGuid().ToString("N"));
    IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install it with `apt-get install -y --no-install-recommends chromium` (infra/servers.sh install does).");
        _browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            UserDataDir = _profile,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"],
            DefaultViewport = new ViewPortOptions { Width = 1400, Height = 900 },
        });
    }

    public async Task DisposeAsync()
    {
        await _browser.CloseAsync();
        await _browser.DisposeAsync();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // Chromium may still be writing its profile for a moment; it is under the temp folder.
        }
    }

    [Fact]
    public async Task Dashboard_RunningCampaignWithFailingStage_PagesShowItAndRetryInTheBrowserCompletesIt()
    {
        FaultyStore? faulty = null;
        await using var factory = new DashboardFactory(kestrel: true,
            services: s => DashboardActionsTests.Decorate(s, store => faulty = new FaultyStore(store, key => key.Contains("/judging/shard-", StringComparison.Ordinal))));
        factory.StartServer();
        var root = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        const string id = "dash-browser";
        await factory.Campaigns.StartAsync(TinyCampaign.Small(Recipe.SelfRewarding), await TinyCampaign.BaseFolder.Value, id);
        var page = await _browser.NewPageAsync();
        page.DefaultTimeout = (int)DashboardFactory.WaitLimit.TotalMilliseconds;

        // The campaign page: the failure shows up with its reason and a Retry button (by a live refresh if it comes after the load).
        await page.GoToAsync($"{root}/campaigns/{id}");
        await page.WaitForSelectorAsync("section.failures td.reason");
        var reason = await page.EvaluateExpressionAsync<string>("document.querySelector('section.failures td.reason').textContent");
        var retryLabel = await page.EvaluateExpressionAsync<string>("document.querySelector('section.failures button.primary').textContent");
        await ShotAsync(page, "campaign-failed");

        // The campaign list, sorted by a click and filtered by typing.
        await page.GoToAsync(root + "/");
        await page.WaitForSelectorAsync($"tr[data-campaign='{id}']");
        var status = await page.EvaluateExpressionAsync<string>($"document.querySelector(\"tr[data-campaign='{id}'] .badge\").textContent");
        await ShotAsync(page, "campaigns");
        await page.TypeAsync("input[data-filter-for='campaigns']", "no-such-text");
        var hiddenByFilter = await page.EvaluateExpressionAsync<bool>($"document.querySelector(\"tr[data-campaign='{id}']\").classList.contains('hidden')");

        // A stage's stored rollouts: sorted by the tokens column, filtered by a prompt.
        await page.GoToAsync($"{root}/campaigns/{id}/iterations/1/generation");
        await page.WaitForSelectorAsync("table#rollouts tbody tr");
        var rows = await page.EvaluateExpressionAsync<int>("document.querySelectorAll('table#rollouts tbody tr').length");
        await page.ClickAsync("table#rollouts thead th:nth-child(9)");
        await page.ClickAsync("table#rollouts thead th:nth-child(9)");
        var tokenCounts = await page.EvaluateExpressionAsync<int[]>("Array.from(document.querySelectorAll('table#rollouts tbody tr td:nth-child(9)')).map(td => Number(td.dataset.value))");
        await ShotAsync(page, "rollouts-generation");
        var firstPrompt = await page.EvaluateExpressionAsync<string>("document.querySelector('table#rollouts tbody tr td:nth-child(4)').textContent");
        await page.TypeAsync("input[data-filter-for='rollouts']", firstPrompt);
        var shown = await page.EvaluateExpressionAsync<int>("document.querySelectorAll('table#rollouts tbody tr:not(.hidden)').length");
        await ShotAsync(page, "rollouts-filtered");

        // The fix, then Retry pressed on the campaign page; the page then follows the campaign to its end by itself.
        faulty!.Broken = false;
        await page.GoToAsync($"{root}/campaigns/{id}");
        await page.WaitForSelectorAsync("section.failures button.primary");
        await Task.WhenAll(page.WaitForNavigationAsync(), page.ClickAsync("section.failures button.primary"));
        var notice = await page.EvaluateExpressionAsync<string>("document.querySelector('.notice').textContent");
        await page.EvaluateExpressionAsync("window.sameDocument = true");
        var versionAfterRetry = await page.EvaluateExpressionAsync<string>("document.getElementById('live').dataset.version");
        await page.WaitForSelectorAsync("#live .badge.completed");
        var sameDocument = await page.EvaluateExpressionAsync<bool>("window.sameDocument === true");
        var refreshed = await page.EvaluateExpressionAsync<string>("document.getElementById('live').dataset.refreshed || ''");
        var versionAtEnd = await page.EvaluateExpressionAsync<string>("document.getElementById('live').dataset.version");
        var doneCells = await page.EvaluateExpressionAsync<int>("document.querySelectorAll('#live td.stage.done').length");
        var plots = await page.EvaluateExpressionAsync<int>("document.querySelectorAll('#live figure.plot svg polyline').length");
        await ShotAsync(page, "campaign-completed");

        // The other pages of the finished campaign, and the queue page of the in-memory bus.
        await page.GoToAsync($"{root}/campaigns/{id}/iterations/1/pairs");
        var pairs = await page.EvaluateExpressionAsync<int>("document.querySelectorAll('table#pairs tbody tr').length");
        await ShotAsync(page, "pairs");
        await page.GoToAsync($"{root}/campaigns/{id}/iterations/2/judging");
        await ShotAsync(page, "rollouts-judging");
        var queues = await page.GoToAsync(root + "/queues");
        var queuesText = await page.EvaluateExpressionAsync<string>("document.querySelector('main').textContent");
        var state = await factory.States.ReadAsync(id);

        Assert.Contains(FaultyStore.Reason, reason);
        Assert.Equal("Retry judging", retryLabel);
        Assert.Contains(status, new[] { "failing", "running" });
        Assert.True(hiddenByFilter);
        Assert.Equal(12, rows);
        Assert.Equal(tokenCounts.OrderDescending(), tokenCounts);
        Assert.InRange(shown, 1, rows - 1);
        Assert.Contains("Sent the failed judging work of dash-browser again", notice);
        Assert.True(sameDocument, "The page reloaded instead of following the campaign live.");
        Assert.NotEqual("", refreshed);
        Assert.NotEqual(versionAfterRetry, versionAtEnd);
        Assert.Equal(11, doneCells);
        Assert.True(plots > 0);
        Assert.True(pairs > 0);
        Assert.True(queues!.Ok);
        Assert.Contains("The bus is in-memory", queuesText);
        Assert.Equal(CampaignStatus.Completed, state!.Status);
    }

    [Fact]
    public async Task TokenStrip_InBrowser_ColoursEachTokenByThePickedStatistic()
    {
        var tokens = new TokenView("12+34=46".Select((c, i) => new TokenCell(c.ToString(), -0.3 * i, 0.5 * (i % 3), 2.0 - 0.2 * i, 0.95 - 0.08 * i, 0.02 * i)).ToList());
        var rollout = Pipeline.Testing.TestRollouts.Create("p", "12+34=", 0, "12+34=46", new Dictionary<string, double> { ["votes"] = 0.5 }, answer: "46");
        var html = Layout.Page("Token strip", RolloutTable.Render([new RolloutRow(0, rollout, "46", true, tokens)], "rollouts"), PageContext.File);
        var page = await _browser.NewPageAsync();

        await page.SetContentAsync(html);
        await page.ClickAsync("td.response summary");
        var byLogProb = await page.EvaluateExpressionAsync<string[]>("Array.from(document.querySelectorAll('.token')).map(t => t.style.background)");
        await page.SelectAsync("select[data-token-colour-for='rollouts']", "entropy");
        var byEntropy = await page.EvaluateExpressionAsync<string[]>("Array.from(document.querySelectorAll('.token')).map(t => t.style.background)");
        await ShotAsync(page, "token-strip");

        Assert.Equal(8, byLogProb.Length);
        Assert.Equal(8, byLogProb.Distinct().Count());
        Assert.NotEqual(byLogProb, byEntropy);
        Assert.Equal(3, byEntropy.Distinct().Count());
        Assert.NotEqual(byLogProb[0], byLogProb[^1]);
    }

    async Task ShotAsync(IPage page, string name)
    {
        var path = Path.Combine(ScreenshotFolder(), name + ".png");
        await page.ScreenshotAsync(path, new ScreenshotOptions { FullPage = true });
        log.WriteLine($"screenshot {path}");
    }

    /// <summary>PIPELINE_SCREENSHOTS, else the test results folder infra/test.sh collects (.infra/test-results) of this clone.</summary>
    static string ScreenshotFolder()
    {
        var folder = Environment.GetEnvironmentVariable("PIPELINE_SCREENSHOTS");
        if (string.IsNullOrEmpty(folder))
        {
            var repo = new DirectoryInfo(AppContext.BaseDirectory);
            while (repo is not null && !File.Exists(Path.Combine(repo.FullName, "Pipeline.sln")))
                repo = repo.Parent;
            folder = Path.Combine(repo?.FullName ?? Path.GetTempPath(), ".infra", "test-results", "dashboard-screenshots");
        }
        Directory.CreateDirectory(folder);
        return folder;
    }
}
