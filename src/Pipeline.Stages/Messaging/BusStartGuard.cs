// Wraps MassTransit's hosted service so that a bus which cannot start within Bus:StartTimeout fails with a message naming
// the broker. MassTransit 8.4 retries the connection until the timeout and then usually rethrows the last connection
// error, but when the deadline comes before the first attempt has failed (seen on a loaded machine) it throws a bare
// TaskCanceledException that says nothing about why.
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Pipeline.Stages.Messaging;

internal sealed class BusStartGuard(MassTransitHostedService inner, BusOptions options) : IHostedService, IAsyncDisposable
{
    /// <summary>Replaces the hosted service AddMassTransit registered with this guard around it.</summary>
    public static void Decorate(IServiceCollection services, BusOptions options)
    {
        var registration = services.SingleOrDefault(d =>
            d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(MassTransitHostedService))
            ?? throw new InvalidOperationException(
                "MassTransit's hosted service registration was not found; AddMassTransit must run before the start guard is applied.");
        services.Remove(registration);
        services.AddSingleton<IHostedService>(provider =>
            new BusStartGuard(ActivatorUtilities.CreateInstance<MassTransitHostedService>(provider), options));
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await inner.StartAsync(cancellationToken);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"The bus did not start within {options.StartTimeout} (Bus:StartTimeout): {DescribeTransport()}. " +
                "MassTransit logs each failed connection attempt.", e);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => inner.StopAsync(cancellationToken);

    // The container disposes the guard it created, not the service inside, so disposal is passed on.
    public ValueTask DisposeAsync() => inner.DisposeAsync();

    string DescribeTransport()
    {
        var broker = options.RabbitMq;
        return options.Transport == BusTransport.RabbitMq
            ? $"RabbitMQ at {broker.Username}@{broker.Host}:{broker.Port}{(broker.VirtualHost.StartsWith('/') ? "" : "/")}{broker.VirtualHost} was not ready"
            : $"the {options.Transport} transport was not ready";
    }
}
