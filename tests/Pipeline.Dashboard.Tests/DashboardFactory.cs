// A dashboard host for one test class: the test program's wiring on the settings given (a folder store in a temp
// folder unless told otherwise), optional service replacements (a store that fails on purpose), served in memory or,
// for the browser, by Kestrel on a free loopback port. Helpers read pages, post actions the way a browser does (the
// anti-forgery field taken from the page), and wait for a campaign's state.
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Stages.Orchestration;
using Pipeline.Storage;

namespace Pipeline.Dashboard.Tests;

internal sealed partial class DashboardFactory : WebApplicationFactory<DashboardTestProgram>
{
    public static readonly TimeSpan WaitLimit = TimeSpan.FromMinutes(2);

    readonly Dictionary<string, string?> _settings;
    readonly Action<IServiceCollection>? _services;

    /// <summary>A dashboard on <paramref name="settings"/> over a fresh folder store (unless the settings name another).</summary>
    public DashboardFactory(IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null, bool kestrel = false)
    {
        Root = Path.Combine(Path.GetTempPath(), "pipeline-dashboard-tests", Guid.NewGuid().ToString("N"));
        _settings = new Dictionary<string, string?>
        {
            ["Storage:Kind"] = "Folder",
            ["Storage:Folder:Root"] = Path.Combine(Root, "store"),
            ["Stages:CacheDirectory"] = Path.Combine(Root, "cache"),
            // A failing message faults at once, and a lost event is repaired within a second or two.
            ["Stages:Retry:Intervals"] = "none",
            ["Stages:Orchestrator:ReconcileInterval"] = "2s",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            _settings[key] = value;
        _services = services;
        if (kestrel)
            UseKestrel(0);
    }

    /// <summary>The test's temp folder (store, caches).</summary>
    public string Root { get; }

    public IObjectStore Store => Services.GetRequiredService<IObjectStore>();

    public CampaignStateStore States => Services.GetRequiredService<CampaignStateStore>();

    /// <summary>The dashboard's campaign service, which sends on the host's bus.</summary>
    public CampaignService Campaigns => Services.GetRequiredService<CampaignService>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseContentRoot(AppContext.BaseDirectory);
        foreach (var (key, value) in _settings)
            builder.UseSetting(key, value);
        if (_services is not null)
            builder.ConfigureTestServices(_services);
    }

    /// <summary>A client that keeps cookies and does not follow redirects, so an action's 303 can be seen.</summary>
    public HttpClient Browser() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>GETs <paramref name="path"/>, asserting <paramref name="expected"/>; returns the body.</summary>
    public static async Task<string> GetAsync(HttpClient client, string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"GET {path}: {(int)response.StatusCode}, expected {(int)expected}.\n{body}");
        return body;
    }

    /// <summary>Posts the form of the button for <paramref name="action"/> on <paramref name="page"/>, as a browser would.</summary>
    public static async Task<HttpResponseMessage> PressAsync(HttpClient client, string page, string action)
    {
        var html = await GetAsync(client, page);
        var form = Regex.Match(html, $"<form method=\"post\" action=\"{Regex.Escape(action)}\"[^>]*>(?<fields>.*?)</form>", RegexOptions.Singleline);
        Assert.True(form.Success, $"{page} has no button for {action}.");
        var fields = FieldPattern().Matches(form.Groups["fields"].Value).ToDictionary(m => m.Groups["name"].Value, m => WebUtility.HtmlDecode(m.Groups["value"].Value));
        return await client.PostAsync(action, new FormUrlEncodedContent(fields));
    }

    /// <summary>Polls the campaign's state until <paramref name="condition"/> holds.</summary>
    public async Task<CampaignState> WaitForStateAsync(string campaignId, Func<CampaignState, bool> condition)
    {
        var deadline = DateTime.UtcNow + WaitLimit;
        while (true)
        {
            var state = await States.ReadAsync(campaignId);
            if (state is not null && condition(state))
                return state;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Campaign {campaignId} did not reach the expected state within {WaitLimit}: "
                    + (state is null ? "no state" : $"status {state.Status}, failures {string.Join("; ", state.Failures().Select(f => f.Failure.Message))}"));
            await Task.Delay(100);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>[^\"]+)\" value=\"(?<value>[^\"]*)\">")]
    private static partial Regex FieldPattern();
}
