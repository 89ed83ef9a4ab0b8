// AddPipelineBus on the real RabbitMQ broker (PIPELINE_RABBITMQ_HOST, default 127.0.0.1; guest/guest, management on 15672).
// Each test runs in its own throw-away virtual host, so runs neither collide nor accumulate queues and exchanges.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Pipeline.Stages.Tests.Messaging;

[Trait("Category", "Integration")]
public sealed class BusServiceCollectionExtensionsRabbitMqTests : IAsyncLifetime
{
    readonly string _prefix = $"bus-test-{Guid.NewGuid():N}"[..17];
    readonly List<IHost> _hosts = [];
    // Fails, not skips, without a broker: CI starts one, and a silently skipped integration test proves nothing.
    RabbitMqVirtualHost _vhost = null!;

    public async Task InitializeAsync() => _vhost = await RabbitMqVirtualHost.CreateAsync("bus-test");

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
            await host.StopAndDisposeAsync();
        await _vhost.DisposeAsync();
    }

    static Dictionary<string, string?> RabbitMq(params (string Key, string Value)[] extra) =>
        BusTestHost.Settings([("Bus:Transport", "RabbitMq"), ("Bus:RabbitMq:Host", RabbitMqVirtualHost.BrokerHost), .. extra]);

    string EndpointName(string kebabConsumerName) => $"{_prefix}-{kebabConsumerName}";

    async Task<IHost> StartAsync(Dictionary<string, string?> settings, Action<IBusRegistrationConfigurator> configure,
        Action<IServiceCollection>? addServices = null)
    {
        var host = BusTestHost.Build(settings, x =>
        {
            x.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(_prefix, false));
            configure(x);
        }, addServices);
        _hosts.Add(host);
        await host.StartAsync().WaitAsync(BusTestHost.WaitLimit);
        return host;
    }

    [Fact]
    public async Task AddPipelineBus_RabbitMqRequest_ConsumerRepliesThroughBroker()
    {
        var host = await StartAsync(_vhost.BusSettings(), x => x.AddConsumer<EchoRequestConsumer>());

        var response = await host.EchoAsync("over the broker");

        Assert.Equal("over the broker", response.Message.Text);
        // On a virtual host the address is rabbitmq://host/<vhost>/<queue>: the queue is the last segment.
        Assert.Equal(EndpointName("echo-request"), response.Message.ReceivedOn.Segments[^1]);
        Assert.NotNull(await _vhost.DepthAsync(EndpointName("echo-request")));
    }

    [Fact]
    public async Task AddPipelineBus_RabbitMqConsumerAlwaysFails_MessageInErrorQueueAfterRetries()
    {
        var probe = new AttemptProbe();
        var host = await StartAsync(_vhost.BusSettings(), x => x.AddConsumer<DoomedConsumer, DoomedConsumerDefinition>(),
            services => services.AddSingleton(probe).AddSingleton(BusServiceCollectionExtensionsTests.Retry(10, 20)));
        var id = Guid.NewGuid();

        // A stage definition names its queue itself ("doomed" here), as the stage queues are named.
        await (await host.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri("queue:doomed"))).Send(new DoomedCommand(id));
        var errored = await _vhost.WaitForMessageAsync("doomed_error");

        Assert.NotNull(errored);
        var headers = errored.Properties.GetProperty("headers");
        Assert.Equal("fault", headers.GetProperty(MessageHeaders.Reason).GetString());
        Assert.Equal("Doomed attempt 3.", headers.GetProperty(MessageHeaders.FaultMessage).GetString());
        Assert.Equal(2, headers.GetProperty(MessageHeaders.FaultRetryCount).GetInt32());
        using var body = JsonDocument.Parse(errored.Body);
        Assert.Equal(id, body.RootElement.GetProperty("message").GetProperty("id").GetGuid());
        // The message reached the error queue only after the consumer had run once plus once per retry interval.
        Assert.Equal(3, probe.Attempts);
    }

    [Fact]
    public async Task AddPipelineBus_RabbitMqPrefetch_ConfigurationOverridesDefinitionWhichOverridesBusDefault()
    {
        var overridden = EndpointName("overridden-idle");
        await StartAsync(
            _vhost.BusSettings(("Bus:PrefetchCount", "5"), ($"Bus:Endpoints:{overridden}:PrefetchCount", "3")),
            x =>
            {
                x.AddConsumer<PlainIdleConsumer>();
                x.AddConsumer<DefinedIdleConsumer, DefinedIdleConsumerDefinition>();
                x.AddConsumer<OverriddenIdleConsumer, OverriddenIdleConsumerDefinition>();
            });

        var plain = await _vhost.WaitForConsumersAsync(EndpointName("plain-idle"));
        var defined = await _vhost.WaitForConsumersAsync(EndpointName("defined-idle"));
        var configured = await _vhost.WaitForConsumersAsync(overridden);

        Assert.Equal(5, Assert.Single(plain).PrefetchCount);
        Assert.Equal(IdleDefinitions.DefinedPrefetchCount, Assert.Single(defined).PrefetchCount);
        Assert.Equal(3, Assert.Single(configured).PrefetchCount);
    }

    [Fact]
    public async Task AddPipelineBus_RabbitMqUnreachable_StartFailsNamingTheBrokerOnceStartTimeoutPasses()
    {
        // MassTransit keeps reconnecting while the host starts; WaitUntilStarted with StartTimeout turns that into a
        // failure: usually the last connection error (measured 1-1.7 s after the timeout), else the start guard's timeout.
        var port = UnusedLocalPort();
        var startTimeout = TimeSpan.FromSeconds(2);

        var clock = Stopwatch.StartNew();
        var error = await StartFailureAgainstAsync(port, startTimeout);
        clock.Stop();

        Assert.True(error is RabbitMqConnectionException or TimeoutException, $"Unexpected start failure: {error}");
        Assert.Contains($"guest@127.0.0.1:{port}/", error.Message);
        Assert.InRange(clock.Elapsed, startTimeout, startTimeout + BusTestHost.WaitLimit);
    }

    [Fact]
    public async Task AddPipelineBus_RabbitMqBrokerSilent_StartFailsWithTimeoutNamingBroker()
    {
        // A socket that accepts but never speaks AMQP holds the first connection attempt open past the deadline, which
        // reproduces what a loaded machine produced against a closed port: MassTransit throws a bare
        // TaskCanceledException, and the start guard turns it into a TimeoutException that names the broker.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;

        var error = await StartFailureAgainstAsync(port, TimeSpan.FromSeconds(1));

        var timeout = Assert.IsType<TimeoutException>(error);
        Assert.Contains($"RabbitMQ at guest@127.0.0.1:{port}/ was not ready", timeout.Message);
        Assert.IsAssignableFrom<OperationCanceledException>(timeout.InnerException);
    }

    /// <summary>Starts a bus against 127.0.0.1:<paramref name="port"/> and returns why the start failed.</summary>
    static async Task<Exception> StartFailureAgainstAsync(int port, TimeSpan startTimeout)
    {
        var host = BusTestHost.Build(
            RabbitMq(
                ("Bus:RabbitMq:Host", "127.0.0.1"),
                ("Bus:RabbitMq:Port", port.ToString(CultureInfo.InvariantCulture)),
                ("Bus:StartTimeout", $"{startTimeout.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms"),
                ("Bus:StopTimeout", "2s")),
            x => x.AddConsumer<EchoRequestConsumer>());
        var error = await Record.ExceptionAsync(() => host.StartAsync().WaitAsync(BusTestHost.WaitLimit));
        await host.DisposeAsync();
        return Assert.IsAssignableFrom<Exception>(error);
    }

    static int UnusedLocalPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
