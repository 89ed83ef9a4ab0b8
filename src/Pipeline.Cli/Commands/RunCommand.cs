// `pipeline run [CAMPAIGN.json|RECIPE]`: the main job, embedded. Every stage and the orchestrator run in this one
// process on MassTransit's in-memory bus, with the folder store under --runs; the code path is the distributed one, only
// the configuration differs. The base model is bootstrapped into <runs>/base-arith when missing. Progress (the bootstrap,
// then each iteration's stages) goes to stderr on one progress display, live bars or plain lines; the per-iteration
// metrics table goes to stdout at the end, once the display has stopped. With --dashboard the same host also
// serves the campaign dashboard, so a failed stage no longer ends the run: it waits for the fix and the retry pressed on
// the dashboard, and the pages stay up after the campaign ends, until Ctrl-C.
using System.CommandLine;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipeline.Cli.Progress;
using Pipeline.Dashboard;
using Pipeline.Learning.Bootstrap;
using Pipeline.Learning.Tasks;
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Hosting;
using Pipeline.Stages.Orchestration;
using static Pipeline.Cli.Commands.CommandSupport;

namespace Pipeline.Cli.Commands;

/// <summary>The <c>run</c> verb.</summary>
internal static class RunCommand
{
    /// <summary>Recipe run when none is named.</summary>
    /// <remarks>
    /// Majority-vote self-training is the label-free recipe that measurably raised held-out accuracy on the campaign
    /// difficulty from the bootstrapped base model; INTUITOR, RLSF and Self-Rewarding did not at the sizes this CPU
    /// trains in minutes (README, "Measured: every recipe from the same base model"), so they are named explicitly.
    /// </remarks>
    internal const string DefaultRecipe = "self-training";

    /// <summary>Folder name of the bootstrapped base model under the runs folder.</summary>
    internal const string BaseModelFolder = "base-arith";

    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var campaignArgument = CampaignCommands.CampaignArgument(optional: true);
        var iterationsOption = CampaignCommands.IterationsOption();
        var runsOption = new Option<string>("--runs") { Description = "Folder of the store, caches and base model.", DefaultValueFactory = _ => "runs" };
        var baseModelOption = new Option<string?>("--base-model")
        {
            Description = $"Base model folder; default <runs>/{BaseModelFolder}, bootstrapped when missing.",
        };
        var dashboardOption = new Option<bool>("--dashboard")
        {
            Description = "Serve the campaign dashboard from this process while the campaign runs (and after, until Ctrl-C).",
        };
        var urlsOption = DashboardCommand.UrlsOption();
        var noProgressOption = ProgressDisplays.NoProgressOption();
        var command = new Command("run", $"Run a campaign in this process (in-memory bus, folder store); default recipe {DefaultRecipe}.")
        {
            campaignArgument, iterationsOption, runsOption, baseModelOption, dashboardOption, urlsOption, noProgressOption,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(parse, cancellationToken, async token =>
        {
            // Everything the user typed is checked before the bootstrap spends minutes.
            var definition = CampaignCommands.LoadDefinition(parse.GetValue(campaignArgument) ?? DefaultRecipe, parse.GetValue(iterationsOption));
            var runs = Path.GetFullPath(parse.GetValue(runsOption)!);
            RequireFolderPath(runs, "--runs");
            var baseModel = parse.GetValue(baseModelOption);
            if (baseModel is not null)
                CheckBaseModel(baseModel);
            var output = parse.InvocationConfiguration.Output;
            CampaignState state;
            using (var progress = ProgressDisplays.Create(parse, noProgressOption))
            {
                if (baseModel is null)
                {
                    baseModel = Path.Combine(runs, BaseModelFolder);
                    if (!File.Exists(Path.Combine(baseModel, "config.json")))
                        Bootstrap(definition, baseModel, progress, token);
                    CheckBaseModel(baseModel);
                }
                var dashboard = parse.GetValue(dashboardOption)
                    ? new EmbeddedDashboard(parse.GetRequiredValue(urlsOption), finished =>
                    {
                        progress.Stop();
                        WriteResults(output, finished, definition);
                    })
                    : null;
                state = await RunEmbeddedAsync(definition, runs, baseModel, progress, token, dashboard);
                if (dashboard is not null) return;
            }
            // The display has stopped: the table may go to the same terminal.
            WriteResults(output, state, definition);
        }));
        return command;
    }

    /// <summary>
    /// Refuses a base model that the stages could not load (a missing file, corrupt weights, a config that does not match),
    /// naming the user's file, before the campaign copies it into the store.
    /// </summary>
    internal static void CheckBaseModel(string folder)
    {
        if (File.Exists(folder))
            throw new IOException($"Base model folder '{folder}' is a file; expected a folder with config.json, model.safetensors and tokenizer.json.");
        CampaignService.ValidateBaseModel(folder);
        CheckModelFolder(folder);
    }

    /// <summary>The run's results on stdout: held-out metrics per iteration, then compute seconds per stage.</summary>
    static void WriteResults(TextWriter output, CampaignState state, CampaignDefinition definition)
    {
        CampaignOutput.WriteMetrics(output, state, definition.Evaluation.Samples);
        CampaignOutput.WriteTiming(output, state);
    }

    /// <summary>Configuration of the embedded run: in-memory bus, folder store and checkpoint cache under <paramref name="runs"/>.</summary>
    internal static IConfiguration EmbeddedConfiguration(string runs) => new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Bus:Transport"] = "InMemory",
            ["Storage:Kind"] = "Folder",
            ["Storage:Folder:Root"] = runs,
            ["Stages:CacheDirectory"] = Path.Combine(runs, ".cache"),
        })
        .Build();

    /// <summary>The dashboard of an embedded run: where it listens, and what to print once the campaign has ended.</summary>
    /// <param name="Urls">Kestrel addresses.</param>
    /// <param name="Finished">Called with the final state before the run keeps serving the dashboard until stopped.</param>
    internal sealed record EmbeddedDashboard(string Urls, Action<CampaignState> Finished);

    /// <summary>
    /// Starts the campaign on an embedded host and waits for it to complete; a failed stage ends the run with an error.
    /// With <paramref name="dashboard"/>, the host serves the dashboard too, a failure waits for a retry, and once the
    /// campaign has ended the pages stay up until the host is stopped.
    /// </summary>
    /// <remarks>
    /// <paramref name="campaignId"/> fixes the id (otherwise a new one is made); with <paramref name="resume"/> the stored
    /// campaign of that id is resumed instead of started.
    /// </remarks>
    internal static async Task<CampaignState> RunEmbeddedAsync(CampaignDefinition definition, string runs, string baseModel, IProgressDisplay progress,
        CancellationToken cancellationToken, EmbeddedDashboard? dashboard = null, string? campaignId = null, bool resume = false)
    {
        var observer = new CampaignProgress(progress, definition, endOnFailure: dashboard is null);
        using var host = BuildEmbeddedHost(EmbeddedConfiguration(runs), observer, dashboard?.Urls, new LineLoggerProvider(progress.WriteLine));
        await host.StartAsync(cancellationToken);
        try
        {
            // The id is fixed before the start so the observer follows this campaign alone: the store may hold earlier
            // campaigns that were interrupted, and the orchestrator reconciles (and so reports) those as well.
            var campaigns = PipelineHosts.SendingService(host);
            var id = campaignId ?? campaigns.NewId(definition);
            observer.CampaignId = id;
            if (resume)
            {
                // The work a stopped process had sent was lost with its in-memory bus: cancel and resume so the orchestrator
                // re-sends every unfinished unit (the stored outputs are kept and reused).
                await campaigns.CancelAsync(id, cancellationToken);
                await campaigns.ResumeAsync(id, cancellationToken);
            }
            else await campaigns.StartAsync(definition, baseModel, id, cancellationToken);
            progress.WriteLine($"campaign {id}: {definition.Recipe.Name()}, {definition.Iterations} iteration(s), "
                + $"{definition.Shards} shard(s) of {definition.PromptsPerIteration} prompts; store {runs}");
            // Said once the campaign exists, so the first page a reader opens already lists it.
            if (host is WebApplication app)
                progress.WriteLine($"dashboard at {string.Join(", ", app.Urls)}");
            // The host's console lifetime takes SIGTERM and Ctrl-C for itself (they no longer cancel the verb's token),
            // so its stopping signal ends the wait as well.
            var stopping = host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            using var interrupted = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopping);
            CampaignState state;
            try
            {
                state = await observer.Finished.WaitAsync(interrupted.Token);
            }
            catch (OperationCanceledException)
            {
                throw new InterruptedException();
            }
            var failure = state.Failures().FirstOrDefault();
            if (failure.Failure is not null && dashboard is null)
                throw new InvalidOperationException(
                    $"campaign {id}: iteration {failure.Iteration} {failure.Stage} shard {failure.Failure.Shard} failed: {failure.Failure.Message}");
            if (dashboard is not null)
            {
                dashboard.Finished(state);
                progress.WriteLine($"campaign {id} is {state.Status.ToString().ToLowerInvariant()}; the dashboard stays up until Ctrl-C");
                try
                {
                    await Task.Delay(Timeout.Infinite, interrupted.Token);
                }
                catch (OperationCanceledException)
                {
                    // Stopping the dashboard after the campaign ended is the normal way out.
                }
            }
            return state;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    internal static void Bootstrap(CampaignDefinition definition, string folder, IProgressDisplay progress, CancellationToken cancellationToken)
    {
        // The task seed is the bootstrap seed, so the campaign's prompts stay disjoint from the base model's training data.
        var options = new BootstrapOptions { Seed = definition.TaskSeed };
        progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"no base model at {folder}: bootstrapping one ({options.Steps} steps)"));
        var report = LearningCommands.TrainBaseModel(TaskRegistry.Get(definition.Task), options, folder, progress, cancellationToken);
        progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"bootstrapped {folder}: {report.StepsDone} steps in {report.WallSeconds:0} s"));
    }

    /// <summary>
    /// The embedded host: every stage and the orchestrator on the in-memory bus, the observer, and with
    /// <paramref name="dashboardUrls"/> the dashboard on the same services (its pages read the run's store).
    /// </summary>
    internal static IHost BuildEmbeddedHost(IConfiguration configuration, ICampaignObserver observer, string? dashboardUrls,
        Microsoft.Extensions.Logging.ILoggerProvider logSink)
    {
        if (dashboardUrls is null)
        {
            var builder = PipelineHosts.Builder(configuration, Microsoft.Extensions.Logging.LogLevel.Warning, logSink);
            builder.Services.AddSingleton(observer);
            builder.Services.AddPolicyBackends(builder.Configuration);
            builder.Services.AddPipelineStages(builder.Configuration, WorkerRoles.All);
            return builder.Build();
        }
        var web = PipelineHosts.WebBuilder(configuration, Microsoft.Extensions.Logging.LogLevel.Warning, dashboardUrls, logSink);
        web.Services.AddSingleton(observer);
        web.Services.AddPolicyBackends(web.Configuration);
        web.Services.AddPipelineStages(web.Configuration, WorkerRoles.All);
        web.Services.AddDashboard(web.Configuration);
        var app = web.Build();
        app.MapDashboard();
        return app;
    }
}
