// What every stage's consumer definition shares: the queue name from the design, a concurrency limit with a prefetch to
// match (a worker must not hoard shards that an idle competing worker could take), and the in-process retry before a
// message is faulted into <queue>_error. Operators override limits per queue with Bus:Endpoints:<queue>:*.
using MassTransit;
using Pipeline.Stages.Hosting;

namespace Pipeline.Stages.Consumers;

/// <summary>Base of the stage consumer definitions.</summary>
/// <typeparam name="TConsumer">The consumer.</typeparam>
internal abstract class StageConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer> where TConsumer : class, IConsumer
{
    readonly IReadOnlyList<TimeSpan> _retry;

    /// <summary>Sets the endpoint name, its concurrency and prefetch, and the retry intervals.</summary>
    /// <param name="queue">Queue (endpoint) name.</param>
    /// <param name="concurrency">Messages processed at once by one process.</param>
    /// <param name="options">Stage options (retry intervals).</param>
    protected StageConsumerDefinition(string queue, int concurrency, StageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        EndpointName = queue;
        ConcurrentMessageLimit = concurrency;
        Endpoint(e => e.PrefetchCount = concurrency);
        _retry = options.RetryIntervals;
    }

    /// <inheritdoc />
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<TConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        if (_retry.Count > 0)
            endpointConfigurator.UseMessageRetry(retry => retry.Intervals(_retry.ToArray()));
    }
}
