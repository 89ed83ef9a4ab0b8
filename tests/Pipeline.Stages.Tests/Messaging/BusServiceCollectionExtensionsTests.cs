// AddPipelineBus on the in-memory transport: a real bus built by the extension, driven end to end.
using System.Globalization;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pipeline.Stages.Hosting;
using Pipeline.Stages.Messaging;

namespace Pipeline.Stages.Tests.Messaging;

public sealed class BusServiceCollectionExtensionsTests
{
    static Dictionary<string, string?> InMemory(params (string Key, string Value)[] extra) =>
        BusTestHost.Settings([("Bus:Transport", "InMemory"), .. extra]);

    /// <summary>Stage options whose endpoint retry waits the given milliseconds.</summary>
    internal static StageOptions Retry(params int[] milliseconds) => new() { RetryIntervals = [.. milliseconds.Select(m => TimeSpan.FromMilliseconds(m))] };

    [Fact]
    public async Task AddPipelineBus_InMemoryRequest_KebabCaseEndpointReplies()
    {
        var host = await BusTestHost.StartAsync(InMemory(), x => x.AddConsumer<EchoRequestConsumer>());
        try
        {
            var response = await host.EchoAsync("hello");

            Assert.Equal("hello", response.Message.Text);
            // ConfigureEndpoints named the consumer's queue with the kebab-case formatter.
            Assert.Equal("echo-request", response.Message.ReceivedOn.AbsolutePath.Trim('/'));
        }
        finally
        {
            await host.StopAndDisposeAsync();
        }
    }

    [Fact]
    public async Task AddPipelineBus_ConsumerFailsTwiceWithThreeRetries_CalledThreeTimesAndNoFault()
    {
        var probe = new AttemptProbe();
        var host = await BusTestHost.StartAsync(
            InMemory(),
            x =>
            {
                x.AddConsumer<FlakyConsumer, FlakyConsumerDefinition>();
                x.AddConsumer<FaultReportingConsumer>();
            },
            services => services.AddSingleton(probe).AddSingleton(Retry(10, 10, 10)));
        try
        {
            await (await host.SendEndpointFor<FlakyConsumer>()).Send(new FlakyCommand(Failures: 2));
            await probe.Succeeded.Task.WaitAsync(BusTestHost.WaitLimit);
        }
        finally
        {
            await host.StopAndDisposeAsync();
        }

        Assert.Equal(3, probe.Attempts);
        Assert.False(probe.FaultPublished.Task.IsCompleted);
    }

    [Fact]
    public async Task AddPipelineBus_ConsumerAlwaysFails_RetriedThenFaultPublishedAndMovedToErrorQueue()
    {
        var probe = new AttemptProbe();
        var errorQueued = new TaskCompletionSource<(DoomedCommand Message, Dictionary<string, object> Headers)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var host = await BusTestHost.StartAsync(
            InMemory(),
            x =>
            {
                x.AddConsumer<DoomedConsumer, DoomedConsumerDefinition>();
                x.AddConsumer<FaultReportingConsumer>();
            },
            services => services.AddSingleton(probe).AddSingleton(Retry(10, 20)));
        try
        {
            // Listen on the error queue the in-memory transport moves faulted messages to (<endpoint>_error).
            var connector = host.Services.GetRequiredService<IReceiveEndpointConnector>();
            var errorEndpoint = connector.ConnectReceiveEndpoint("doomed_error", (_, endpoint) =>
            {
                endpoint.ConfigureConsumeTopology = false;
                endpoint.Handler<DoomedCommand>(context =>
                {
                    // Copied here: a consume context is not valid after its handler returns.
                    errorQueued.TrySetResult((context.Message, context.ReceiveContext.TransportHeaders.GetAll().ToDictionary(h => h.Key, h => h.Value)));
                    return Task.CompletedTask;
                });
            });
            await errorEndpoint.Ready.WaitAsync(BusTestHost.WaitLimit);

            var id = Guid.NewGuid();
            await (await host.SendEndpointFor<DoomedConsumer>()).Send(new DoomedCommand(id));

            var fault = Assert.IsAssignableFrom<Fault<DoomedCommand>>(await probe.FaultPublished.Task.WaitAsync(BusTestHost.WaitLimit));
            var errored = await errorQueued.Task.WaitAsync(BusTestHost.WaitLimit);

            Assert.Equal(id, fault.Message.Id);
            Assert.Equal("Doomed attempt 3.", Assert.Single(fault.Exceptions).Message);
            Assert.Equal(id, errored.Message.Id);
            Assert.Equal("fault", errored.Headers[MessageHeaders.Reason]);
            Assert.Equal("Doomed attempt 3.", errored.Headers[MessageHeaders.FaultMessage]);
            Assert.Equal("2", Convert.ToString(errored.Headers[MessageHeaders.FaultRetryCount], CultureInfo.InvariantCulture));
        }
        finally
        {
            await host.StopAndDisposeAsync();
        }

        // One delivery plus one per retry interval, and nothing after the message left for the error queue.
        Assert.Equal(3, probe.Attempts);
    }

    [Fact]
    public async Task AddPipelineBus_EndpointConcurrencyOverride_WinsOverBusDefault()
    {
        var probe = new ConcurrencyProbe { ReleaseAt = 3 };

        await RunSlowCommandsAsync(probe, 6, ("Bus:ConcurrentMessageLimit", "1"), ("Bus:Endpoints:slow:ConcurrentMessageLimit", "3"));

        // The bus default alone would allow one at a time; the endpoint's override allows three and no more.
        Assert.Equal(3, probe.MaxInFlight);
    }

    [Fact]
    public async Task AddPipelineBus_BusConcurrencyDefault_LimitsEndpointWithoutOverride()
    {
        // Released at two in flight, which a limit of one never reaches, so each message waits out the hold time.
        var probe = new ConcurrencyProbe { ReleaseAt = 2, HoldTime = TimeSpan.FromMilliseconds(100) };

        await RunSlowCommandsAsync(probe, 4, ("Bus:ConcurrentMessageLimit", "1"));

        Assert.Equal(1, probe.MaxInFlight);
    }

    static async Task RunSlowCommandsAsync(ConcurrencyProbe probe, int messages, params (string Key, string Value)[] settings)
    {
        probe.Expected = messages;
        var host = await BusTestHost.StartAsync(InMemory(settings), x => x.AddConsumer<SlowConsumer>(),
            services => services.AddSingleton(probe));
        try
        {
            var endpoint = await host.SendEndpointFor<SlowConsumer>();
            for (var i = 0; i < messages; i++)
                await endpoint.Send(new SlowCommand(i));
            await probe.AllDone.Task.WaitAsync(BusTestHost.WaitLimit);
        }
        finally
        {
            await host.StopAndDisposeAsync();
        }
    }

    [Fact]
    public void AddPipelineBus_UnknownTransport_ThrowsListingValidTransports()
    {
        var services = new ServiceCollection();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Bus:Transport"] = "Kafka" })
            .Build();

        var error = Assert.Throws<OptionsValidationException>(() => services.AddPipelineBus(configuration));

        Assert.Contains("'Kafka'", error.Message);
        Assert.Contains("InMemory, RabbitMq", error.Message);
        Assert.Empty(services);
    }
}
