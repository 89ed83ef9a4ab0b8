// Moves the messages of a stage's error queue back to the stage queue over AMQP, body and properties (MassTransit's
// fault headers included) unchanged, so a fixed worker gets another go at them. Each message is published with a
// publisher confirm and only then acknowledged on the error queue: a crash in between duplicates a message, never
// loses one, and the stages are idempotent per (campaign, iteration, stage, shard). The one header that changes is
// x-dotnet-pub-seq-no, which RabbitMQ.Client's confirm tracking stamps on every publish (MassTransit's too); nothing reads it.
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Pipeline.Stages.Messaging;

/// <summary>Moves messages from an error queue back to its stage queue.</summary>
public static class ErrorQueueMover
{
    /// <summary>
    /// Moves the messages that are in <c>&lt;stage&gt;_error</c> when the call starts to <paramref name="stage"/>'s queue and
    /// returns how many were moved. Messages that fail again while the move runs land behind the starting count and stay
    /// in the error queue, so the call always ends. A missing error queue means nothing to move (MassTransit declares it
    /// on the first fault).
    /// </summary>
    /// <param name="broker">Broker address, credentials and virtual host.</param>
    /// <param name="stage">Stage queue name (see <see cref="StageQueues"/>).</param>
    /// <param name="cancellationToken">Stops between messages; the ones moved so far stay moved.</param>
    /// <exception cref="InvalidOperationException">The broker is unreachable, or the stage queue does not exist.</exception>
    public static async Task<int> MoveAsync(RabbitMqHostOptions broker, string stage, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(broker);
        ArgumentException.ThrowIfNullOrEmpty(stage);
        var errorQueue = StageQueues.ErrorQueue(stage);
        var factory = broker.CreateConnectionFactory($"pipeline stage retry {stage}");
        var where = $"{broker.Username}@{broker.Host}:{broker.Port}{(broker.VirtualHost.StartsWith('/') ? "" : "/")}{broker.VirtualHost}";

        IConnection connection;
        try
        {
            connection = await factory.CreateConnectionAsync(cancellationToken);
        }
        catch (BrokerUnreachableException e)
        {
            // The innermost exception says why (connection refused, a name that does not resolve); the outer ones wrap it.
            var cause = e.GetBaseException();
            throw new InvalidOperationException($"RabbitMQ at {where} is unreachable: {cause.Message}", e);
        }

        await using (connection)
        {
            // A passive declare of a missing queue closes the channel, so each probe gets its own.
            var pending = await MessageCountAsync(connection, errorQueue, cancellationToken);
            if (pending is null or 0)
                return 0;
            if (await MessageCountAsync(connection, stage, cancellationToken) is null)
                throw new InvalidOperationException($"RabbitMQ at {where}: queue '{stage}' does not exist; start its worker once so it is declared.");

            await using var channel = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
                cancellationToken);
            var moved = 0;
            while (moved < pending && !cancellationToken.IsCancellationRequested)
            {
                var message = await channel.BasicGetAsync(errorQueue, autoAck: false, cancellationToken);
                if (message is null)
                    break;
                try
                {
                    // The default exchange routes by queue name to exactly the stage queue, whatever other bindings the
                    // stage's exchange has; mandatory turns a vanished queue into an error instead of a silent drop.
                    await channel.BasicPublishAsync("", stage, mandatory: true, new BasicProperties(message.BasicProperties),
                        message.Body, cancellationToken);
                }
                catch (PublishException e)
                {
                    await channel.BasicNackAsync(message.DeliveryTag, multiple: false, requeue: true, CancellationToken.None);
                    throw new InvalidOperationException(
                        $"RabbitMQ at {where}: queue '{stage}' did not take a message ({(e.IsReturn ? "returned" : "nacked")}); moved {moved} before it.", e);
                }
                await channel.BasicAckAsync(message.DeliveryTag, multiple: false, cancellationToken);
                moved++;
            }
            return moved;
        }
    }

    static async Task<uint?> MessageCountAsync(IConnection connection, string queue, CancellationToken cancellationToken)
    {
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            var declared = await channel.QueueDeclarePassiveAsync(queue, cancellationToken);
            return declared.MessageCount;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return null;
        }
    }
}
