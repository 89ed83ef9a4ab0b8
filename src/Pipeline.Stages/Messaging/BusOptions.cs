// The "Bus" configuration section, read and validated in one place so that a bad value fails at start-up with a message
// naming the key, instead of surfacing later as a transport error. docker-compose sets the same keys as Bus__... variables.
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Pipeline.Stages.Messaging;

/// <summary>Which MassTransit transport the bus runs on.</summary>
public enum BusTransport
{
    /// <summary>In-process transport: one process, nothing survives a restart. The default.</summary>
    InMemory,

    /// <summary>A RabbitMQ broker, reached with <see cref="BusOptions.RabbitMq"/>.</summary>
    RabbitMq,
}

/// <summary>Where the RabbitMQ broker is and how to log in to it.</summary>
public sealed class RabbitMqHostOptions
{
    /// <summary>Broker host name or address (<c>Bus:RabbitMq:Host</c>, default 127.0.0.1).</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>AMQP port (<c>Bus:RabbitMq:Port</c>, default 5672).</summary>
    public int Port { get; init; } = 5672;

    /// <summary>Virtual host (<c>Bus:RabbitMq:VirtualHost</c>, default /).</summary>
    public string VirtualHost { get; init; } = "/";

    /// <summary>User name (<c>Bus:RabbitMq:Username</c>, default guest).</summary>
    public string Username { get; init; } = "guest";

    /// <summary>Password (<c>Bus:RabbitMq:Password</c>, default guest).</summary>
    public string Password { get; init; } = "guest";

    /// <summary>Port of the management HTTP API on <see cref="Host"/> (<c>Bus:RabbitMq:ManagementPort</c>, default 15672).</summary>
    public int ManagementPort { get; init; } = 15672;

    /// <summary>
    /// Full base address of the management HTTP API (<c>Bus:RabbitMq:ManagementUri</c>, e.g. <c>https://broker:15671/</c>);
    /// when set it wins over <see cref="Host"/> and <see cref="ManagementPort"/>, for brokers behind a proxy or TLS.
    /// </summary>
    public Uri? ManagementUri { get; init; }

    /// <summary>
    /// A plain AMQP connection factory for this broker, for tools that work on queues directly rather than through
    /// MassTransit; it does not reconnect by itself and gives up connecting after 10 s.
    /// </summary>
    /// <param name="clientName">Name the broker shows for the connection.</param>
    public RabbitMQ.Client.ConnectionFactory CreateConnectionFactory(string clientName) => new()
    {
        HostName = Host,
        Port = Port,
        VirtualHost = VirtualHost,
        UserName = Username,
        Password = Password,
        ClientProvidedName = clientName,
        RequestedConnectionTimeout = TimeSpan.FromSeconds(10),
        AutomaticRecoveryEnabled = false,
    };
}

/// <summary>Per-endpoint limits; a value left null falls back to the endpoint's definition, then to the bus default.</summary>
public sealed class EndpointLimits
{
    /// <summary>Messages the broker may hand to this endpoint before they are acknowledged.</summary>
    public int? PrefetchCount { get; init; }

    /// <summary>Messages this endpoint's consumers may process at the same time.</summary>
    public int? ConcurrentMessageLimit { get; init; }
}

/// <summary>Bus settings read from the <c>Bus</c> configuration section.</summary>
public sealed class BusOptions
{
    /// <summary>Name of the configuration section these options are read from.</summary>
    public const string SectionName = "Bus";

    /// <summary>Transport (<c>Bus:Transport</c>: <c>InMemory</c> or <c>RabbitMq</c>, default InMemory).</summary>
    public BusTransport Transport { get; init; } = BusTransport.InMemory;

    /// <summary>Broker address and credentials (<c>Bus:RabbitMq:*</c>); used only with <see cref="BusTransport.RabbitMq"/>.</summary>
    public RabbitMqHostOptions RabbitMq { get; init; } = new();

    /// <summary>Bus-wide prefetch default (<c>Bus:PrefetchCount</c>); null keeps MassTransit's default.</summary>
    public int? PrefetchCount { get; init; }

    /// <summary>Bus-wide concurrency default (<c>Bus:ConcurrentMessageLimit</c>); null keeps MassTransit's default.</summary>
    public int? ConcurrentMessageLimit { get; init; }

    /// <summary>
    /// Overrides by endpoint (queue) name (<c>Bus:Endpoints:&lt;endpoint-name&gt;:PrefetchCount</c> and
    /// <c>...:ConcurrentMessageLimit</c>); names compare case-insensitively. These win over consumer definitions. A name
    /// no endpoint in this process has is ignored, since processes hosting different stages may share one configuration.
    /// </summary>
    public IReadOnlyDictionary<string, EndpointLimits> Endpoints { get; init; } =
        new Dictionary<string, EndpointLimits>(StringComparer.OrdinalIgnoreCase);

    /// <summary>How long host start waits for the bus to be ready before failing (<c>Bus:StartTimeout</c>, default 30 s).</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long host stop waits for the bus and in-flight messages (<c>Bus:StopTimeout</c>, default 30 s).</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(30);

    static readonly string[] KnownKeys =
        ["Transport", "RabbitMq", "PrefetchCount", "ConcurrentMessageLimit", "Endpoints", "StartTimeout", "StopTimeout"];

    static readonly string[] KnownRabbitMqKeys = ["Host", "Port", "VirtualHost", "Username", "Password", "ManagementPort", "ManagementUri"];

    static readonly string[] KnownEndpointKeys = ["PrefetchCount", "ConcurrentMessageLimit"];

    /// <summary>
    /// Reads the <c>Bus</c> section of <paramref name="configuration"/> (a missing section gives the defaults).
    /// Durations accept <c>250ms</c>, <c>2s</c>, <c>1m</c>, a bare number of milliseconds, or a TimeSpan such as
    /// <c>00:00:05</c>; 
    /// </summary>
    /// <exception cref="OptionsValidationException">Any value is unknown, malformed or out of range; the message lists them all.</exception>
    public static BusOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(SectionName);
        var errors = new List<string>();

        RejectUnknownKeys(section, KnownKeys, errors);
        var rabbitSection = section.GetSection("RabbitMq");
        RejectUnknownKeys(rabbitSection, KnownRabbitMqKeys, errors);

        var defaults = new RabbitMqHostOptions();
        var rabbitMq = new RabbitMqHostOptions
        {
            Host = ReadText(rabbitSection, "Host", defaults.Host, errors),
            Port = ReadInt(rabbitSection, "Port", errors, min: 1, max: 65535) ?? defaults.Port,
            VirtualHost = ReadText(rabbitSection, "VirtualHost", defaults.VirtualHost, errors),
            Username = ReadText(rabbitSection, "Username", defaults.Username, errors),
            // An empty password is a legitimate broker setting, so only absence falls back to the default.
            Password = rabbitSection["Password"] ?? defaults.Password,
            ManagementPort = ReadInt(rabbitSection, "ManagementPort", errors, min: 1, max: 65535) ?? defaults.ManagementPort,
            ManagementUri = ReadHttpUri(rabbitSection, "ManagementUri", errors),
        };

        var endpoints = new Dictionary<string, EndpointLimits>(StringComparer.OrdinalIgnoreCase);
        foreach (var endpoint in section.GetSection("Endpoints").GetChildren())
        {
            RejectUnknownKeys(endpoint, KnownEndpointKeys, errors);
            endpoints[endpoint.Key] = new EndpointLimits
            {
                PrefetchCount = ReadInt(endpoint, "PrefetchCount", errors, min: 1, max: ushort.MaxValue),
                ConcurrentMessageLimit = ReadInt(endpoint, "ConcurrentMessageLimit", errors, min: 1, max: int.MaxValue),
            };
        }

        var options = new BusOptions
        {
            Transport = ReadTransport(section, errors),
            RabbitMq = rabbitMq,
            PrefetchCount = ReadInt(section, "PrefetchCount", errors, min: 1, max: ushort.MaxValue),
            ConcurrentMessageLimit = ReadInt(section, "ConcurrentMessageLimit", errors, min: 1, max: int.MaxValue),
            Endpoints = endpoints,
            StartTimeout = ReadPositiveDuration(section, "StartTimeout", TimeSpan.FromSeconds(30), errors),
            StopTimeout = ReadPositiveDuration(section, "StopTimeout", TimeSpan.FromSeconds(30), errors),
        };

        if (errors.Count > 0)
            throw new OptionsValidationException(SectionName, typeof(BusOptions), errors.Select(e => $"Invalid bus configuration: {e}"));
        return options;
    }

    static BusTransport ReadTransport(IConfigurationSection section, List<string> errors)
    {
        var value = section["Transport"];
        if (string.IsNullOrWhiteSpace(value))
            return BusTransport.InMemory;
        // Enum.TryParse alone would also accept numbers ("1"), which no one means in a config file.
        foreach (var transport in Enum.GetValues<BusTransport>())
        {
            if (string.Equals(value.Trim(), transport.ToString(), StringComparison.OrdinalIgnoreCase))
                return transport;
        }
        errors.Add($"{section.Path}:Transport = '{value}' is not a known transport; valid values: {string.Join(", ", Enum.GetNames<BusTransport>())}.");
        return BusTransport.InMemory;
    }

    internal static void RejectUnknownKeys(IConfigurationSection section, string[] known, List<string> errors)
    {
        foreach (var child in section.GetChildren())
        {
            if (!known.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
                errors.Add($"{child.Path} is not a known setting; expected one of: {string.Join(", ", known)}.");
        }
    }

    static string ReadText(IConfigurationSection section, string key, string fallback, List<string> errors)
    {
        var value = section[key];
        if (value is null)
            return fallback;
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add($"{section.Path}:{key} is empty.");
            return fallback;
        }
        return value.Trim();
    }

    static Uri? ReadHttpUri(IConfigurationSection section, string key, List<string> errors)
    {
        var value = section[key];
        if (string.IsNullOrWhiteSpace(value))
            return null;
        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"{section.Path}:{key} = '{value}' must be an absolute http or https address.");
            return null;
        }
        return uri;
    }

    internal static int? ReadInt(IConfigurationSection section, string key, List<string> errors, int min, int max)
    {
        var value = section[key];
        if (string.IsNullOrWhiteSpace(value))
            return null;
        if (!int.TryParse(value.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) || parsed < min || parsed > max)
        {
            errors.Add($"{section.Path}:{key} = '{value}' must be a whole number from {min} to {max}.");
            return null;
        }
        return parsed;
    }

    internal static TimeSpan ReadPositiveDuration(IConfigurationSection section, string key, TimeSpan fallback, List<string> errors)
    {
        var value = section[key];
        if (string.IsNullOrWhiteSpace(value))
            return fallback;
        if (!TryParseDuration(value, out var parsed) || parsed <= TimeSpan.Zero)
        {
            errors.Add($"{section.Path}:{key} = '{value}' must be a positive duration such as 500ms, 10s or 00:00:30.");
            return fallback;
        }
        return parsed;
    }

    internal static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = default;
        var value = text.Trim();
        if (value.Length == 0)
            return false;

        (string Suffix, double Milliseconds)[] units = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)];
        foreach (var (suffix, milliseconds) in units)
        {
            if (!value.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
                continue;
            var number = value[..^suffix.Length].TrimEnd();
            // "5ms" also ends with "s"; the loop tries "ms" first, and a leftover letter fails the number parse below.
            return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount)
                && TryFromMilliseconds(amount * milliseconds, out duration);
        }

        if (double.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var bareMilliseconds))
            return TryFromMilliseconds(bareMilliseconds, out duration);
        return TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out duration);
    }

    static bool TryFromMilliseconds(double milliseconds, out TimeSpan duration)
    {
        // TimeSpan.FromMilliseconds throws on values it cannot hold; configuration errors should be reported, not thrown.
        var inRange = double.IsFinite(milliseconds) && Math.Abs(milliseconds) < TimeSpan.MaxValue.TotalMilliseconds;
        duration = inRange ? TimeSpan.FromMilliseconds(milliseconds) : default;
        return inRange;
    }
}
