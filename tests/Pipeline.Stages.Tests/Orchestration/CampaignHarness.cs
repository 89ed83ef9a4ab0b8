// An in-memory MassTransit test harness hosting every stage with the real consumers, definitions and work classes, over
// a folder store in a temp directory. The base model and the shrunk campaign settings are the stage work tests' own
// (Work/TinyCampaign), so a whole two-iteration campaign takes seconds.
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Stages.Hosting;
using Pipeline.Stages.Orchestration;
using Pipeline.Storage;
using Pipeline.Storage.Checkpoints;

namespace Pipeline.Stages.Tests.Orchestration;

internal sealed class CampaignHarness : IAsyncDisposable
{
    public static readonly TimeSpan WaitLimit = TimeSpan.FromMinutes(3);

    readonly string _root;

    CampaignHarness(string root, ServiceProvider provider, ITestHarness harness)
    {
        _root = root;
        Provider = provider;
        Harness = harness;
    }

    public ServiceProvider Provider { get; }

    public ITestHarness Harness { get; }

    public string StoreRoot => Path.Combine(_root, "store");

    public IObjectStore Store => Provider.GetRequiredService<IObjectStore>();

    public CampaignStateStore States => Provider.GetRequiredService<CampaignStateStore>();

    public CampaignService Service => new(Store, Provider.GetRequiredService<CheckpointStore>(), States, new BusCommandSender(Harness.Bus));

    /// <summary>Starts the harness; <paramref name="configure"/> may register services first (e.g. another policy backend).</summary>
    public static async Task<CampaignHarness> StartAsync(Action<IServiceCollection>? configure = null)
    {
        var root = Path.Combine(Path.GetTempPath(), "pipeline-stage-tests", Guid.NewGuid().ToString("N"));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Kind"] = "Folder",
            ["Storage:Folder:Root"] = Path.Combine(root, "store"),
            ["Stages:CacheDirectory"] = Path.Combine(root, "cache"),
            // A failing message faults at once, so fault tests do not wait out retry intervals.
            ["Stages:Retry:Intervals"] = "none",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        configure?.Invoke(services);
        services.AddStageServices(configuration);
        services.AddMassTransitTestHarness(x =>
        {
            x.AddGenerationStage().AddScoringStage().AddJudgingStage().AddPairsStage().AddUpdateStage().AddOrchestratorStage();
            x.UsingInMemory((context, bus) =>
            {
                bus.ConfigureJsonSerializerOptions(json =>
                {
                    json.NumberHandling |= System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals;
                    return json;
                });
                bus.ConfigureEndpoints(context);
            });
        });
        var provider = services.BuildServiceProvider(validateScopes: true);
        var harness = provider.GetRequiredService<ITestHarness>();
        harness.TestTimeout = WaitLimit;
        await harness.Start();
        return new CampaignHarness(root, provider, harness);
    }

    /// <summary>Polls the campaign's state until <paramref name="condition"/> holds; fails after <see cref="WaitLimit"/>.</summary>
    public async Task<CampaignState> WaitForStateAsync(string campaignId, Func<CampaignState, bool> condition)
    {
        using var limit = new CancellationTokenSource(WaitLimit);
        while (true)
        {
            var state = await States.ReadAsync(campaignId, limit.Token);
            if (state is not null && condition(state))
                return state;
            try
            {
                await Task.Delay(100, limit.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Campaign {campaignId} did not reach the expected state within {WaitLimit}; last: "
                    + (state is null ? "no state" : CampaignStateStore.Serialize(state).Length + " bytes, status " + state.Status));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Harness.Stop();
        await Provider.DisposeAsync();
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}
