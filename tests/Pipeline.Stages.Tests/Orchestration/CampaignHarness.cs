// An in-memory MassTransit test harness hosting every stage with the real consumers, definitions and work classes, over
// a folder store in a temp directory, plus a tiny bootstrapped base model shared by the tests of a class. Tiny campaign
// settings keep a whole two-iteration campaign to seconds.
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Learning.Bootstrap;
using Pipeline.Learning.Tasks.Arith;
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Hosting;
using Pipeline.Stages.Orchestration;
using Pipeline.Storage;
using Pipeline.Storage.Checkpoints;

namespace Pipeline.Stages.Tests.Orchestration;

/// <summary>A two-step bootstrapped model folder, made once per test class.</summary>
public sealed class TinyBaseModel : IDisposable
{
    public TinyBaseModel()
    {
        Folder = Path.Combine(Path.GetTempPath(), "pipeline-stage-tests", Guid.NewGuid().ToString("N"), "base");
        BaseModelTrainer.Train(new ArithTask(), new BootstrapOptions { Steps = 2 }, Folder);
    }

    public string Folder { get; }

    /// <summary>intuitor shrunk to seconds: 2 iterations of 4 prompts in 2 shards, 2 one-step chunks, 2 evaluation problems.</summary>
    public static CampaignDefinition TinyCampaign(string recipe = "intuitor", int iterations = 2) => CampaignDefinition.LoadBuiltIn(recipe) with
    {
        Iterations = iterations,
        PromptsPerIteration = 4,
        Shards = 2,
        SamplesPerPrompt = 2,
        MaxNewTokens = 16,
        Update = new UpdateSettings { Steps = 2, StepsPerChunk = 1, PromptsPerStep = 2, MicroBatchSize = 4 },
        Evaluation = new EvaluationSettings { ProblemsPerDifficulty = 2, Samples = 1, Difficulties = ["d2s1"] },
    };

    public void Dispose()
    {
        var root = Path.GetDirectoryName(Folder)!;
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }
}

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

    public static async Task<CampaignHarness> StartAsync()
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
