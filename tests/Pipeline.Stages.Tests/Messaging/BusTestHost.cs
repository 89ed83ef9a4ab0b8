// Builds a generic host whose only bus wiring is AddPipelineBus, from an in-memory set of configuration keys, so the
// tests exercise exactly what the stage processes will run. Also compiled into Pipeline.Cli.Tests (linked), with
// RabbitMqVirtualHost, so both test projects share one broker harness.
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipeline.Stages.Messaging;

namespace Pipeline.Stages.Tests.Messaging;

internal static class BusTestHost
{
    /// <summary>Generous bound for anything a test waits on; a healthy run finishes each wait in milliseconds.</summary>
    public static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(20);

    /// <summary>Configuration keys for a test host; a later pair overrides an earlier one with the same key.</summary>
    public static Dictionary<string, string?> Settings(IEnumerable<(string Key, string Value)> pairs)
    {
        var settings = new Dictionary<string, string?>();
        foreach (var (key, value) in pairs)
            settings[key] = value;
        return settings;
    }

    public static IHost Build(IDictionary<string, string?> settings, Action<IBusRegistrationConfigurator> configure,
        Action<IServiceCollection>? addServices = null)
    {
        // No default sources: a stray Bus__ environment variable must not change what a test configures.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        addServices?.Invoke(builder.Services);
        builder.Services.AddPipelineBus(builder.Configuration, configure);
        return builder.Build();
    }

    public static async Task<IHost> StartAsync(IDictionary<string, string?> settings, Action<IBusRegistrationConfigurator> configure,
        Action<IServiceCollection>? addServices = null)
    {
        var host = Build(settings, configure, addServices);
        try
        {
            await host.StartAsync().WaitAsync(WaitLimit);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
        return host;
    }

    public static async Task<ISendEndpoint> SendEndpointFor<TConsumer>(this IHost host)
        where TConsumer : class, IConsumer
    {
        var queue = host.Services.GetRequiredService<IEndpointNameFormatter>().Consumer<TConsumer>();
        return await host.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri($"queue:{queue}"));
    }

    public static async Task StopAndDisposeAsync(this IHost host)
    {
        await host.StopAsync();
        await host.DisposeAsync();
    }

    /// <summary>
    /// Disposes without blocking: IHost.Dispose waits on the asynchronous disposal, and blocked threads under xunit's
    /// two-slot synchronization context can starve the continuations they wait for.
    /// </summary>
    public static async Task DisposeAsync(this IHost host)
    {
        if (host is IAsyncDisposable asyncDisposable)
            await asyncDisposable.DisposeAsync();
        else
            host.Dispose();
    }
}
