// How the reconciler hands out commands, so its logic runs without a bus in tests. On the bus, commands are sent to the
// stage's queue (queue:<name>), never published: exactly one competing consumer of that stage should get each.
using MassTransit;

namespace Pipeline.Stages.Orchestration;

/// <summary>Sends a stage command to the named queue.</summary>
public interface ICampaignCommandSender
{
    /// <summary>Sends <paramref name="command"/> to the queue <paramref name="queue"/>.</summary>
    Task SendAsync<T>(T command, string queue, CancellationToken cancellationToken) where T : class;
}

/// <summary>Sends through MassTransit: a consume context inside consumers (keeps the conversation), the bus elsewhere.</summary>
/// <param name="endpoints">A consume context or the bus.</param>
public sealed class BusCommandSender(ISendEndpointProvider endpoints) : ICampaignCommandSender
{
    /// <inheritdoc />
    public async Task SendAsync<T>(T command, string queue, CancellationToken cancellationToken) where T : class
    {
        ArgumentNullException.ThrowIfNull(command);
        var endpoint = await endpoints.GetSendEndpoint(new Uri($"queue:{queue}"));
        // The object overload sends as the runtime type; the generic one would send as T, which may be object.
        await endpoint.Send((object)command, cancellationToken);
    }
}
