// A throw-away RabbitMQ virtual host per test class: the stage queue names are fixed ("scoring", "scoring_error"), so
// tests isolate themselves by virtual host instead of by queue name, and deleting the virtual host removes everything
// they declared. Also reads exact queue depths over AMQP, since the management API's figures lag by seconds.
using System.Text;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Stages.Messaging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Pipeline.Stages.Tests.Messaging;

internal sealed class RabbitMqVirtualHost : IAsyncDisposable
{
    RabbitMqVirtualHost(RabbitMqHostOptions broker, RabbitMqManagementClient management)
    {
        Broker = broker;
        Management = management;
    }

    /// <summary>Broker settings addressing the virtual host.</summary>
    public RabbitMqHostOptions Broker { get; }

    /// <summary>A management client on the virtual host.</summary>
    public RabbitMqManagementClient Management { get; }

    public string Name => Broker.VirtualHost;

    /// <summary>Broker host for the integration tests: PIPELINE_RABBITMQ_HOST, else 127.0.0.1.</summary>
    public static string BrokerHost =>
        Environment.GetEnvironmentVariable("PIPELINE_RABBITMQ_HOST") is { Length: > 0 } host ? host : "127.0.0.1";

    /// <summary>Creates a uniquely named virtual host; fails (not skips) when the broker is not running.</summary>
    public static async Task<RabbitMqVirtualHost> CreateAsync(string purpose)
    {
        var broker = new RabbitMqHostOptions { Host = BrokerHost, VirtualHost = $"{purpose}-{Guid.NewGuid():N}"[..(purpose.Length + 13)] };
        var management = new RabbitMqManagementClient(broker);
        try
        {
            await management.CreateVirtualHostAsync(broker.VirtualHost, broker.Username);
        }
        catch (InvalidOperationException e)
        {
            management.Dispose();
            throw new InvalidOperationException($"RabbitMQ is needed for this test; start it with infra/servers.sh start. {e.Message}", e);
        }
        return new RabbitMqVirtualHost(broker, management);
    }

    public async ValueTask DisposeAsync()
    {
        await Management.DeleteVirtualHostAsync(Name);
        Management.Dispose();
    }

    /// <summary>Bus configuration keys for a test host on this virtual host; <paramref name="extra"/> pairs override them.</summary>
    public Dictionary<string, string?> BusSettings(params (string Key, string Value)[] extra) => BusTestHost.Settings(
    [
        ("Bus:Transport", "RabbitMq"), ("Bus:RabbitMq:Host", Broker.Host), ("Bus:RabbitMq:VirtualHost", Name), ("Bus:StopTimeout", "5s"),
        .. extra,
    ]);

    /// <summary>Sends <paramref name="messages"/> to queue:<paramref name="queue"/> with a pipeline bus (AddPipelineBus) on this virtual host.</summary>
    public async Task SendAsync(string queue, params object[] messages)
    {
        var host = await BusTestHost.StartAsync(BusSettings(), _ => { });
        try
        {
            var endpoint = await host.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri($"queue:{queue}"));
            foreach (var message in messages)
                await endpoint.Send(message, message.GetType());
        }
        finally
        {
            await host.StopAndDisposeAsync();
        }
    }

    /// <summary>Polls until <paramref name="queue"/> holds a message and returns the first (left in place), or null after the wait limit.</summary>
    public async Task<PeekedMessage?> WaitForMessageAsync(string queue)
    {
        var deadline = DateTime.UtcNow + BusTestHost.WaitLimit;
        while (true)
        {
            // Null until the queue exists: MassTransit declares an error queue when it first moves a message there.
            if (await Management.PeekAsync(queue, 1) is [var message, ..])
                return message;
            if (DateTime.UtcNow > deadline)
                return null;
            await Task.Delay(100);
        }
    }

    /// <summary>Polls until <paramref name="queue"/> has a consumer; the management database learns of new ones asynchronously.</summary>
    public async Task<IReadOnlyList<QueueConsumer>> WaitForConsumersAsync(string queue)
    {
        var deadline = DateTime.UtcNow + BusTestHost.WaitLimit;
        while (true)
        {
            var consumers = await Management.GetConsumersAsync(queue);
            if (consumers.Count > 0 || DateTime.UtcNow > deadline)
                return consumers;
            await Task.Delay(100);
        }
    }

    /// <summary>The exact number of ready messages in <paramref name="queue"/>, or null when it does not exist.</summary>
    public async Task<uint?> DepthAsync(string queue)
    {
        await using var connection = await Factory().CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return null;
        }
    }

    /// <summary>Polls until <paramref name="queue"/> holds <paramref name="expected"/> messages; returns the last depth seen.</summary>
    public async Task<uint?> WaitForDepthAsync(string queue, uint expected)
    {
        var deadline = DateTime.UtcNow + BusTestHost.WaitLimit;
        while (true)
        {
            var depth = await DepthAsync(queue);
            if (depth == expected || DateTime.UtcNow > deadline)
                return depth;
            await Task.Delay(100);
        }
    }

    /// <summary>Declares a plain durable queue and puts a text message in it through the default exchange.</summary>
    public async Task DeclareWithMessageAsync(string queue, string text)
    {
        await using var connection = await Factory().CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        await channel.BasicPublishAsync("", queue, mandatory: true, new BasicProperties(), Encoding.UTF8.GetBytes(text));
    }

    ConnectionFactory Factory() => new()
    {
        HostName = Broker.Host,
        Port = Broker.Port,
        VirtualHost = Name,
        UserName = Broker.Username,
        Password = Broker.Password,
    };
}
