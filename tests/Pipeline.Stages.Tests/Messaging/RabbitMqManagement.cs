// A small client for the RabbitMQ management HTTP API, used by the integration tests to see what the bus did on the
// real broker (queue contents, consumer prefetch) and to delete the queues and exchanges a test run created.
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Pipeline.Stages.Tests.Messaging;

internal sealed class RabbitMqManagement : IDisposable
{
    readonly HttpClient _http;

    public RabbitMqManagement(string host)
    {
        _http = new HttpClient { BaseAddress = new Uri($"http://{host}:15672/api/"), Timeout = TimeSpan.FromSeconds(10) };
        _http.DefaultRequestHeaders.Authorization =
            new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes("guest:guest")));
    }

    /// <summary>Broker host for the integration tests: PIPELINE_RABBITMQ_HOST, else 127.0.0.1.</summary>
    public static string BrokerHost =>
        Environment.GetEnvironmentVariable("PIPELINE_RABBITMQ_HOST") is { Length: > 0 } host ? host : "127.0.0.1";

    public void Dispose() => _http.Dispose();

    /// <summary>Takes up to <paramref name="count"/> messages off a queue (acknowledged, not requeued); none if it does not exist.</summary>
    public async Task<List<JsonElement>> TakeMessagesAsync(string queue, int count)
    {
        var request = new { count, ackmode = "ack_requeue_false", encoding = "auto" };
        using var response = await _http.PostAsJsonAsync($"queues/%2F/{Uri.EscapeDataString(queue)}/get", request);
        // MassTransit declares an error queue when it first moves a message there.
        if (response.StatusCode == HttpStatusCode.NotFound)
            return [];
        response.EnsureSuccessStatusCode();
        var messages = await response.Content.ReadFromJsonAsync<List<JsonElement>>();
        return messages ?? [];
    }

    /// <summary>Polls until the queue yields a message or the limit passes; faults reach the error queue asynchronously.</summary>
    public async Task<JsonElement?> WaitForMessageAsync(string queue, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var messages = await TakeMessagesAsync(queue, 1);
            if (messages.Count > 0)
                return messages[0];
            if (DateTime.UtcNow > deadline)
                return null;
            await Task.Delay(100);
        }
    }

    /// <summary>The consumers the broker knows on a queue, as (consumer tag, prefetch count).</summary>
    public async Task<List<(string Tag, int PrefetchCount)>> ConsumersOnAsync(string queue)
    {
        var consumers = await _http.GetFromJsonAsync<List<JsonElement>>("consumers/%2F") ?? [];
        return consumers
            .Where(c => c.GetProperty("queue").GetProperty("name").GetString() == queue)
            .Select(c => (c.GetProperty("consumer_tag").GetString() ?? "", c.GetProperty("prefetch_count").GetInt32()))
            .ToList();
    }

    /// <summary>Polls until the queue has at least one consumer; the management database learns of new ones asynchronously.</summary>
    public async Task<List<(string Tag, int PrefetchCount)>> WaitForConsumersAsync(string queue, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var consumers = await ConsumersOnAsync(queue);
            if (consumers.Count > 0 || DateTime.UtcNow > deadline)
                return consumers;
            await Task.Delay(100);
        }
    }

    public async Task<List<string>> QueueNamesAsync() => await NamesAsync("queues/%2F");

    public async Task<List<string>> ExchangeNamesAsync() => await NamesAsync("exchanges/%2F");

    async Task<List<string>> NamesAsync(string path)
    {
        var items = await _http.GetFromJsonAsync<List<JsonElement>>($"{path}?columns=name") ?? [];
        return items.Select(i => i.GetProperty("name").GetString() ?? "").ToList();
    }

    public async Task DeleteQueueAsync(string name) => await DeleteAsync($"queues/%2F/{Uri.EscapeDataString(name)}");

    public async Task DeleteExchangeAsync(string name) => await DeleteAsync($"exchanges/%2F/{Uri.EscapeDataString(name)}");

    async Task DeleteAsync(string path)
    {
        using var response = await _http.DeleteAsync(path);
        // Already gone (an auto-delete entity, or removed by a concurrent cleanup) is as good as deleted.
        if (response.StatusCode != HttpStatusCode.NotFound)
            response.EnsureSuccessStatusCode();
    }
}
