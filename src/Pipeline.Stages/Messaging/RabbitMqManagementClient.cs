// The RabbitMQ management HTTP API as the operations verbs need it: queue depths and consumers (with their prefetch),
// reading messages without consuming them (get with ack_requeue_true), and virtual hosts for isolated integration tests. Every failure becomes an
// InvalidOperationException whose one-line message names the broker address, so the CLI can print it as it is.
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Pipeline.Stages.Messaging;

/// <summary>A queue's depth and consumers as the management API reports them.</summary>
/// <param name="Name">Queue name.</param>
/// <param name="Ready">Messages waiting to be delivered.</param>
/// <param name="Unacked">Messages delivered to a consumer and not yet acknowledged.</param>
/// <param name="Consumers">Consumers attached to the queue.</param>
public sealed record QueueState(string Name, long Ready, long Unacked, int Consumers);

/// <summary>A message read off a queue through the management API, left in the queue.</summary>
/// <param name="Exchange">Exchange it was published to (empty for the default exchange).</param>
/// <param name="RoutingKey">Routing key it was published with.</param>
/// <param name="Redelivered">Whether the broker had delivered it before (peeking sets this).</param>
/// <param name="Properties">AMQP properties (content_type, message_id, headers ...) as the API returns them.</param>
/// <param name="Body">The message body's bytes.</param>
public sealed record PeekedMessage(string Exchange, string RoutingKey, bool Redelivered, JsonElement Properties, byte[] Body);

/// <summary>A consumer attached to a queue, as the management API reports it.</summary>
/// <param name="Tag">Consumer tag.</param>
/// <param name="PrefetchCount">Unacknowledged messages the broker lets it hold at once.</param>
public sealed record QueueConsumer(string Tag, int PrefetchCount);

/// <summary>Client of the RabbitMQ management HTTP API for one virtual host.</summary>
public sealed class RabbitMqManagementClient : IDisposable
{
    readonly HttpClient _http;
    readonly string _vhostSegment;

    /// <summary>
    /// Connects to the management API of <paramref name="broker"/>: <see cref="RabbitMqHostOptions.ManagementUri"/> when
    /// set, else http://Host:ManagementPort/, with the broker's user, password and virtual host.
    /// </summary>
    /// <param name="broker">Broker settings (the <c>Bus:RabbitMq</c> section).</param>
    /// <param name="timeout">Per-request timeout; default 10 s.</param>
    /// <param name="handler">HTTP handler to use instead of the default one (tests).</param>
    public RabbitMqManagementClient(RabbitMqHostOptions broker, TimeSpan? timeout = null, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(broker);
        var root = broker.ManagementUri ?? new UriBuilder(Uri.UriSchemeHttp, broker.Host, broker.ManagementPort).Uri;
        // The API lives under /api/ of the given base, which may itself carry a path prefix behind a proxy.
        BaseAddress = new Uri(root.AbsoluteUri.TrimEnd('/') + "/api/");
        VirtualHost = broker.VirtualHost;
        _vhostSegment = Uri.EscapeDataString(broker.VirtualHost);
        _http = handler is null ? new HttpClient() : new HttpClient(handler);
        _http.BaseAddress = BaseAddress;
        _http.Timeout = timeout ?? TimeSpan.FromSeconds(10);
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{broker.Username}:{broker.Password}")));
    }

    /// <summary>Base address of the API (ends in <c>/api/</c>).</summary>
    public Uri BaseAddress { get; }

    /// <summary>The virtual host the queue operations address.</summary>
    public string VirtualHost { get; }

    /// <summary>The named queues' states, in the order asked; a queue that does not exist is null.</summary>
    /// <exception cref="InvalidOperationException">The API is unreachable, rejects the login, or the virtual host does not exist.</exception>
    public async Task<IReadOnlyList<QueueState?>> GetQueuesAsync(IEnumerable<string> names, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(names);
        // One listing of the virtual host instead of a request per queue; the figures are the broker's periodic statistics.
        var path = $"queues/{_vhostSegment}?columns=name,messages_ready,messages_unacknowledged,consumers";
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, path), cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
            throw new InvalidOperationException($"RabbitMQ at {BaseAddress}: virtual host '{VirtualHost}' does not exist.");
        await EnsureSuccessAsync(response, "list queues", cancellationToken);
        var items = await ReadJsonAsync<List<JsonElement>>(response, cancellationToken) ?? [];
        var byName = new Dictionary<string, QueueState>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var name = item.GetProperty("name").GetString() ?? "";
            byName[name] = new QueueState(name, Long(item, "messages_ready"), Long(item, "messages_unacknowledged"), (int)Long(item, "consumers"));
        }
        return names.Select(n => byName.GetValueOrDefault(n)).ToList();
    }

    /// <summary>
    /// Reads up to <paramref name="count"/> messages from the head of <paramref name="queue"/> and puts them back
    /// (ackmode ack_requeue_true): the queue keeps its depth and order, the messages get the redelivered flag.
    /// Returns null when the queue does not exist.
    /// </summary>
    /// <exception cref="InvalidOperationException">The API is unreachable or refuses the request.</exception>
    public async Task<IReadOnlyList<PeekedMessage>?> PeekAsync(string queue, int count, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var path = $"queues/{_vhostSegment}/{Uri.EscapeDataString(queue)}/get";
        var request = new { count, ackmode = "ack_requeue_true", encoding = "auto" };
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(request) },
            cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
            return null;
        await EnsureSuccessAsync(response, $"read queue '{queue}'", cancellationToken);
        var items = await ReadJsonAsync<List<JsonElement>>(response, cancellationToken) ?? [];
        return items.Select(ToPeekedMessage).ToList();
    }

    /// <summary>The consumers attached to <paramref name="queue"/>; the broker learns of new ones within a moment.</summary>
    /// <exception cref="InvalidOperationException">The API is unreachable or refuses the request.</exception>
    public async Task<IReadOnlyList<QueueConsumer>> GetConsumersAsync(string queue, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, $"consumers/{_vhostSegment}"), cancellationToken);
        await EnsureSuccessAsync(response, "list consumers", cancellationToken);
        var items = await ReadJsonAsync<List<JsonElement>>(response, cancellationToken) ?? [];
        return items
            .Where(c => c.GetProperty("queue").GetProperty("name").GetString() == queue)
            .Select(c => new QueueConsumer(c.GetProperty("consumer_tag").GetString() ?? "", c.GetProperty("prefetch_count").GetInt32()))
            .ToList();
    }

    /// <summary>Creates virtual host <paramref name="name"/> (no-op when it exists) and gives <paramref name="user"/> full rights on it.</summary>
    /// <exception cref="InvalidOperationException">The API is unreachable or refuses the request.</exception>
    public async Task CreateVirtualHostAsync(string name, string user, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(user);
        var vhost = Uri.EscapeDataString(name);
        using (var created = await SendAsync(() => new HttpRequestMessage(HttpMethod.Put, $"vhosts/{vhost}"), cancellationToken))
            await EnsureSuccessAsync(created, $"create virtual host '{name}'", cancellationToken);
        var permissions = new { configure = ".*", write = ".*", read = ".*" };
        using var granted = await SendAsync(() => new HttpRequestMessage(HttpMethod.Put, $"permissions/{vhost}/{Uri.EscapeDataString(user)}")
        {
            Content = JsonContent.Create(permissions),
        }, cancellationToken);
        await EnsureSuccessAsync(granted, $"grant '{user}' on virtual host '{name}'", cancellationToken);
    }

    /// <summary>Deletes virtual host <paramref name="name"/> with everything in it; returns false when there was none.</summary>
    /// <exception cref="InvalidOperationException">The API is unreachable or refuses the request.</exception>
    public async Task<bool> DeleteVirtualHostAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, $"vhosts/{Uri.EscapeDataString(name)}"),
            cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
            return false;
        await EnsureSuccessAsync(response, $"delete virtual host '{name}'", cancellationToken);
        return true;
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    static long Long(JsonElement item, string property) =>
        // A queue declared a moment ago has no statistics yet; the broker omits the field rather than reporting zero.
        item.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : 0;

    static PeekedMessage ToPeekedMessage(JsonElement item)
    {
        var payload = item.GetProperty("payload").GetString() ?? "";
        // encoding=auto returns UTF-8 text as a string and anything else as base64.
        var body = item.TryGetProperty("payload_encoding", out var encoding) && encoding.GetString() == "base64"
            ? Convert.FromBase64String(payload)
            : Encoding.UTF8.GetBytes(payload);
        return new PeekedMessage(
            item.TryGetProperty("exchange", out var exchange) ? exchange.GetString() ?? "" : "",
            item.TryGetProperty("routing_key", out var routingKey) ? routingKey.GetString() ?? "" : "",
            item.TryGetProperty("redelivered", out var redelivered) && redelivered.ValueKind == JsonValueKind.True,
            item.TryGetProperty("properties", out var properties) ? properties.Clone() : default,
            body);
    }

    async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> request, CancellationToken cancellationToken)
    {
        using var message = request();
        try
        {
            return await _http.SendAsync(message, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new InvalidOperationException($"RabbitMQ management API at {BaseAddress} is unreachable: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException($"RabbitMQ management API at {BaseAddress} did not answer within {_http.Timeout.TotalSeconds:0} s.", e);
        }
    }

    async Task EnsureSuccessAsync(HttpResponseMessage response, string action, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
            return;
        if (response.StatusCode == HttpStatusCode.Unauthorized)
            throw new InvalidOperationException($"RabbitMQ management API at {BaseAddress} rejected the user name or password.");
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        throw new InvalidOperationException(
            $"RabbitMQ management API at {BaseAddress} could not {action}: {(int)response.StatusCode} {response.ReasonPhrase} {text.ReplaceLineEndings(" ").Trim()}");
    }

    async Task<T?> ReadJsonAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(cancellationToken);
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"RabbitMQ management API at {BaseAddress} answered with something that is not its JSON: {e.Message}", e);
        }
    }
}
