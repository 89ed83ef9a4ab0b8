// The one place the MassTransit bus is wired: transport from configuration, kebab-case endpoints for every registered
// consumer, prefetch/concurrency limits, and in-process retry. Failures that outlast the retries go to <endpoint>_error.
// Delayed redelivery is deliberately absent: on RabbitMQ it needs the delayed-message-exchange plugin, which Debian's
// broker does not ship.
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Pipeline.Stages.Messaging;

/// <summary>Registers the pipeline's MassTransit bus.</summary>
public static class BusServiceCollectionExtensions
{
    /// <summary>
    /// Adds MassTransit configured from the <c>Bus</c> section (see <see cref="BusOptions"/>) and its hosted service,
    /// which waits for the bus to be ready (bounded by <see cref="BusOptions.StartTimeout"/>) before the host finishes
    /// starting.
    /// </summary>
    /// <remarks>
    /// An unreachable broker makes host start fail instead of wait: MassTransit retries the connection until
    /// <c>Bus:StartTimeout</c>, then throws its last connection error (<c>RabbitMqConnectionException</c>, naming
    /// user@host:port/vhost) or, when no attempt had failed yet, a <see cref="TimeoutException"/> naming the broker.
    /// </remarks>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">Configuration holding the <c>Bus</c> section.</param>
    /// <param name="configure">
    /// Registers consumers (with their definitions), sagas and request clients, e.g.
    /// <c>x =&gt; x.AddConsumer&lt;TConsumer, TDefinition&gt;()</c>. It runs before the defaults are applied, so an
    /// endpoint name formatter set here replaces the kebab-case one.
    /// </param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The <c>Bus</c> section is invalid.</exception>
    public static IServiceCollection AddPipelineBus(this IServiceCollection services, IConfiguration configuration,
        Action<IBusRegistrationConfigurator>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = BusOptions.FromConfiguration(configuration);

        services.AddOptions<MassTransitHostOptions>().Configure(host =>
        {
            host.WaitUntilStarted = true;
            host.StartTimeout = options.StartTimeout;
            host.StopTimeout = options.StopTimeout;
        });

        services.AddMassTransit(x =>
        {
            configure?.Invoke(x);
            // MassTransit keeps the first formatter registered, so one chosen in configure above takes precedence.
            x.SetKebabCaseEndpointNameFormatter();
            // Runs after the endpoint's definition is applied, so operator configuration beats what the code declares.
            x.AddConfigureEndpointsCallback((name, endpoint) => ApplyEndpointLimits(options, name, endpoint));

            switch (options.Transport)
            {
                case BusTransport.InMemory:
                    x.UsingInMemory((context, bus) => ConfigureBus(bus, context, options));
                    break;
                case BusTransport.RabbitMq:
                    x.UsingRabbitMq((context, bus) =>
                    {
                        var broker = options.RabbitMq;
                        bus.Host(broker.Host, (ushort)broker.Port, broker.VirtualHost, host =>
                        {
                            host.Username(broker.Username);
                            host.Password(broker.Password);
                        });
                        ConfigureBus(bus, context, options);
                    });
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(configuration), options.Transport, "Unhandled bus transport.");
            }
        });
        BusStartGuard.Decorate(services, options);
        return services;
    }

    static void ConfigureBus<TEndpoint>(IBusFactoryConfigurator<TEndpoint> bus, IBusRegistrationContext context, BusOptions options)
        where TEndpoint : IReceiveEndpointConfigurator
    {
        // Stage figures are NaN where undefined (an AUROC with one class, a mean over nothing); JSON has no NaN, so
        // messages carry them as the named literals "NaN", "Infinity" and "-Infinity", as the stored files do.
        bus.ConfigureJsonSerializerOptions(json =>
        {
            json.NumberHandling |= System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals;
            return json;
        });
        // Bus-level values are defaults: an endpoint's definition may override them, and Bus:Endpoints overrides both.
        if (options.PrefetchCount is { } prefetch)
            bus.PrefetchCount = prefetch;
        if (options.ConcurrentMessageLimit is { } limit)
            bus.ConcurrentMessageLimit = limit;
        bus.ConfigureEndpoints(context);
    }

    static void ApplyEndpointLimits(BusOptions options, string endpointName, IReceiveEndpointConfigurator endpoint)
    {
        if (!options.Endpoints.TryGetValue(endpointName, out var limits))
            return;
        if (limits.PrefetchCount is { } prefetch)
            endpoint.PrefetchCount = prefetch;
        if (limits.ConcurrentMessageLimit is { } limit)
            endpoint.ConcurrentMessageLimit = limit;
    }
}
