// Reading and validating the Bus configuration section: defaults, the accepted duration spellings, and error messages
// that name the offending key.
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Pipeline.Stages.Messaging;

namespace Pipeline.Stages.Tests.Messaging;

public sealed class BusOptionsTests
{
    static BusOptions Read(params (string Key, string Value)[] settings) =>
        BusOptions.FromConfiguration(Configuration(settings));

    static IConfiguration Configuration((string Key, string Value)[] settings) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();

    static (string Host, int Port, string VirtualHost, string Username, string Password) Broker(BusOptions options) =>
        (options.RabbitMq.Host, options.RabbitMq.Port, options.RabbitMq.VirtualHost, options.RabbitMq.Username, options.RabbitMq.Password);

    static string ReadError(params (string Key, string Value)[] settings) =>
        Assert.Throws<OptionsValidationException>(() => BusOptions.FromConfiguration(Configuration(settings))).Message;

    [Fact]
    public void FromConfiguration_EmptyConfiguration_InMemoryWithLocalBrokerDefaults()
    {
        var options = Read();

        Assert.Equal(BusTransport.InMemory, options.Transport);
        Assert.Equal(("127.0.0.1", 5672, "/", "guest", "guest"), Broker(options));
        Assert.Null(options.PrefetchCount);
        Assert.Null(options.ConcurrentMessageLimit);
        Assert.Empty(options.Endpoints);
        Assert.Equal(TimeSpan.FromSeconds(30), options.StartTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), options.StopTimeout);
        Assert.Equal(15672, options.RabbitMq.ManagementPort);
        Assert.Null(options.RabbitMq.ManagementUri);
    }

    [Fact]
    public void FromConfiguration_AllKeysSet_ReadsEveryValue()
    {
        var options = Read(
            ("Bus:Transport", "rabbitmq"),
            ("Bus:RabbitMq:Host", "rabbit.internal"),
            ("Bus:RabbitMq:Port", "5673"),
            ("Bus:RabbitMq:VirtualHost", "pipeline"),
            ("Bus:RabbitMq:Username", "stage"),
            ("Bus:RabbitMq:Password", ""),
            ("Bus:RabbitMq:ManagementPort", "15673"),
            ("Bus:RabbitMq:ManagementUri", "https://rabbit.internal:15671/"),
            ("Bus:PrefetchCount", "16"),
            ("Bus:ConcurrentMessageLimit", "4"),
            ("Bus:Endpoints:generate-rollouts:PrefetchCount", "2"),
            ("Bus:Endpoints:generate-rollouts:ConcurrentMessageLimit", "1"),
            ("Bus:Endpoints:score-rollouts:ConcurrentMessageLimit", "8"),
            ("Bus:StartTimeout", "45s"),
            ("Bus:StopTimeout", "00:01:00"));

        Assert.Equal(BusTransport.RabbitMq, options.Transport);
        Assert.Equal(("rabbit.internal", 5673, "pipeline", "stage", ""), Broker(options));
        Assert.Equal(15673, options.RabbitMq.ManagementPort);
        Assert.Equal(new Uri("https://rabbit.internal:15671/"), options.RabbitMq.ManagementUri);
        Assert.Equal(16, options.PrefetchCount);
        Assert.Equal(4, options.ConcurrentMessageLimit);
        Assert.Equal(2, options.Endpoints["generate-rollouts"].PrefetchCount);
        Assert.Equal(1, options.Endpoints["Generate-Rollouts"].ConcurrentMessageLimit);
        Assert.Null(options.Endpoints["score-rollouts"].PrefetchCount);
        Assert.Equal(8, options.Endpoints["score-rollouts"].ConcurrentMessageLimit);
        Assert.Equal(TimeSpan.FromSeconds(45), options.StartTimeout);
        Assert.Equal(TimeSpan.FromMinutes(1), options.StopTimeout);
    }

    [Fact]
    public void FromConfiguration_UnknownTransport_ErrorListsValidTransports()
    {
        var message = ReadError(("Bus:Transport", "AzureServiceBus"));

        Assert.Contains("Bus:Transport = 'AzureServiceBus' is not a known transport; valid values: InMemory, RabbitMq.", message);
    }

    [Theory]
    [InlineData("Bus:Transport", "1", "Bus:Transport = '1' is not a known transport")]
    [InlineData("Bus:RabbitMq:Port", "70000", "Bus:RabbitMq:Port = '70000' must be a whole number from 1 to 65535.")]
    [InlineData("Bus:RabbitMq:Host", " ", "Bus:RabbitMq:Host is empty.")]
    [InlineData("Bus:PrefetchCount", "0", "Bus:PrefetchCount = '0' must be a whole number from 1 to 65535.")]
    [InlineData("Bus:Endpoints:score:ConcurrentMessageLimit", "many", "Bus:Endpoints:score:ConcurrentMessageLimit = 'many' must be a whole number")]
    [InlineData("Bus:StartTimeout", "0s", "Bus:StartTimeout = '0s' must be a positive duration")]
    [InlineData("Bus:Prefetch", "4", "Bus:Prefetch is not a known setting")]
    [InlineData("Bus:RabbitMq:Hostname", "x", "Bus:RabbitMq:Hostname is not a known setting; expected one of: Host, Port, VirtualHost, Username, Password, ManagementPort, ManagementUri.")]
    [InlineData("Bus:RabbitMq:ManagementPort", "0", "Bus:RabbitMq:ManagementPort = '0' must be a whole number from 1 to 65535.")]
    [InlineData("Bus:RabbitMq:ManagementUri", "ftp://broker/", "Bus:RabbitMq:ManagementUri = 'ftp://broker/' must be an absolute http or https address.")]
    [InlineData("Bus:Endpoints:score:Prefetch", "4", "Bus:Endpoints:score:Prefetch is not a known setting")]
    [InlineData("Bus:Retry:Intervals", "1s", "Bus:Retry is not a known setting")]
    public void FromConfiguration_BadValue_ErrorNamesKeyAndProblem(string key, string value, string expected)
    {
        Assert.Contains(expected, ReadError((key, value)));
    }

    [Fact]
    public void FromConfiguration_SeveralBadValues_ReportsAllAtOnce()
    {
        var message = ReadError(("Bus:PrefetchCount", "-1"), ("Bus:StopTimeout", "later"));

        Assert.Contains("Bus:PrefetchCount = '-1'", message);
        Assert.Contains("Bus:StopTimeout = 'later'", message);
    }
}
