// Configuration and hosts of the distributed verbs: an optional --config JSON file, then environment variables
// (Bus__Transport=RabbitMq, Storage__Kind=AzureBlob ...), which win. Tools that only read the store get a service
// provider; tools that send get a started bus without consumers, so an unreachable broker fails before anything is sent.
// The operations verbs (queues, rollouts peek, stage retry, report) read the same configuration.
using System.CommandLine;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pipeline.Stages.Hosting;
using Pipeline.Stages.Messaging;
using Pipeline.Stages.Orchestration;
using Pipeline.Storage;
using Pipeline.Storage.Checkpoints;

namespace Pipeline.Cli.Commands;

/// <summary>Configuration and hosts shared by the distributed verbs (worker, campaign, operations).</summary>
internal static class PipelineHosts
{
    /// <summary>The <c>--config FILE</c> option.</summary>
    internal static Option<string?> ConfigOption() => new("--config")
    {
        Description = "JSON configuration (Bus, Storage, Stages sections); environment variables such as Bus__Transport override it.",
    };

    /// <summary>The configuration: <paramref name="file"/> when given, then environment variables.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is a folder, empty, or not a JSON object.</exception>
    internal static IConfiguration Configuration(string? file)
    {
        var builder = new ConfigurationBuilder();
        if (file is not null)
        {
            var path = Path.GetFullPath(file);
            CheckConfigurationFile(file, path);
            builder.AddJsonFile(path, optional: false, reloadOnChange: false);
        }
        builder.AddEnvironmentVariables();
        try
        {
            return builder.Build();
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or System.Text.Json.JsonException)
        {
            throw new InvalidDataException($"Configuration file '{file}' is not valid JSON: {(e.InnerException ?? e).Message}", e);
        }
    }

    /// <summary>Says what is wrong with a configuration file before the configuration provider would, less precisely.</summary>
    static void CheckConfigurationFile(string file, string path)
    {
        if (Directory.Exists(path))
            throw new InvalidDataException($"Configuration file '{file}' is a folder; expected a JSON file.");
        if (!File.Exists(path))
            throw new FileNotFoundException($"Configuration file '{file}' does not exist.");
        var text = File.ReadAllText(path);
        if (string.IsNullOrWhiteSpace(text))
            throw new InvalidDataException($"Configuration file '{file}' is empty; expected a JSON object (Bus, Storage, Stages sections).");
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(text,
                new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (document.RootElement.ValueKind != System.Text.Json.JsonValueKind.Object)
                throw new InvalidDataException($"Configuration file '{file}' is not a JSON object (Bus, Storage, Stages sections).");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new InvalidDataException(
                $"Configuration file '{file}' is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}).", e);
        }
    }

    /// <summary>
    /// A host for <paramref name="configuration"/> logging at <paramref name="level"/> (none when null) to stderr, or to
    /// <paramref name="logSink"/> when given (the embedded run's progress display).
    /// </summary>
    internal static HostApplicationBuilder Builder(IConfiguration configuration, LogLevel? level, ILoggerProvider? logSink = null) =>
        // No default sources: the configuration was assembled above, and appsettings files play no part.
        Configure(Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true }), configuration, level, logSink);

    /// <summary>
    /// A web host (the dashboard's) for <paramref name="configuration"/>, listening on <paramref name="urls"/> (Kestrel
    /// syntax, semicolon-separated), logging like <see cref="Builder"/>.
    /// </summary>
    internal static WebApplicationBuilder WebBuilder(IConfiguration configuration, LogLevel? level, string urls, ILoggerProvider? logSink = null)
    {
        // The empty builder has no default sources and no server; Kestrel without HTTPS is all the dashboard needs.
        var builder = Configure(WebApplication.CreateEmptyBuilder(new WebApplicationOptions()), configuration, level, logSink);
        builder.WebHost.UseKestrelCore().UseUrls(urls);
        // A start-up failure (an address in use, an address that needs a token) reaches the user as the verb's one
        // error line; the host's own log of it would add a stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        return builder;
    }

    static TBuilder Configure<TBuilder>(TBuilder builder, IConfiguration configuration, LogLevel? level, ILoggerProvider? logSink)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Configuration.AddConfiguration(configuration);
        builder.Logging.ClearProviders();
        if (level is { } minimum)
        {
            builder.Logging.SetMinimumLevel(minimum);
            builder.Logging.AddFilter("MassTransit", LogLevel.Warning);
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
            // A start-up failure (an unreachable broker) reaches the user as the verb's one error line; the host's own log
            // of it would add the exception with its stack trace.
            builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
            // Logs go to stderr (or the progress display), so stdout carries only what a verb prints as its result.
            builder.Logging.AddProvider(logSink ?? LineLoggerProvider.To(Console.Error));
        }
        return builder;
    }

    /// <summary>Store-only services (no bus), for verbs that read or edit state.</summary>
    internal static ServiceProvider StoreServices(IConfiguration configuration)
    {
        var services = new ServiceCollection();
        services.AddStageServices(configuration);
        return services.BuildServiceProvider();
    }

    /// <summary>A campaign service without a bus (status, list, cancel).</summary>
    internal static CampaignService StoreOnlyService(IServiceProvider services) =>
        new(services.GetRequiredService<IObjectStore>(), services.GetRequiredService<CheckpointStore>(),
            services.GetRequiredService<CampaignStateStore>());

    /// <summary>
    /// Runs <paramref name="action"/> with a campaign service that sends through a started host (storage and a bus without
    /// consumers), then stops the host; fails before the action when the broker cannot be reached.
    /// </summary>
    internal static async Task<T> WithSenderAsync<T>(IConfiguration configuration, Func<CampaignService, Task<T>> action,
        CancellationToken cancellationToken)
    {
        var host = await StartSenderAsync(configuration, cancellationToken);
        try
        {
            return await action(SendingService(host));
        }
        finally
        {
            await StopAsync(host);
        }
    }

    static async Task<IHost> StartSenderAsync(IConfiguration configuration, CancellationToken cancellationToken)
    {
        var builder = Builder(configuration, level: null);
        builder.Services.AddStageServices(builder.Configuration);
        builder.Services.AddPipelineBus(builder.Configuration);
        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch
        {
            await DisposeAsync(host);
            throw;
        }
        return host;
    }

    /// <summary>A campaign service that sends through the started <paramref name="host"/>'s bus.</summary>
    internal static CampaignService SendingService(IHost host) =>
        new(host.Services.GetRequiredService<IObjectStore>(), host.Services.GetRequiredService<CheckpointStore>(),
            host.Services.GetRequiredService<CampaignStateStore>(), new BusCommandSender(host.Services.GetRequiredService<IBus>()));

    /// <summary>Stops and disposes a host without blocking a thread.</summary>
    static async Task StopAsync(IHost host)
    {
        try
        {
            await host.StopAsync(CancellationToken.None);
        }
        finally
        {
            await DisposeAsync(host);
        }
    }

    static async Task DisposeAsync(IHost host)
    {
        if (host is IAsyncDisposable asyncDisposable)
            await asyncDisposable.DisposeAsync();
        else
            host.Dispose();
    }
}
