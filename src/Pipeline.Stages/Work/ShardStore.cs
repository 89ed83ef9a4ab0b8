// Stage outputs as JSON lines in the object store: written create-only (the first complete write wins and a duplicate
// message finds it), read back whole, and offered inline to messages only while small. The first line names the format
// version, so a shard written by an older Pipeline is refused with a message rather than misread. The shard's summary
// figures are a small document next to it, written before the lines, so whoever finds the lines also finds their summary.
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Pipeline.Contracts;
using Pipeline.Stages.Campaigns;
using Pipeline.Storage;

namespace Pipeline.Stages.Work;

/// <summary>Reads and writes per-shard stage outputs (JSON lines) with their summaries.</summary>
public sealed class ShardStore
{
    /// <summary>Default bound on the JSON size of records carried inline in a message (configuration <c>Stages:InlineLimitBytes</c>).</summary>
    public const int DefaultInlineLimitBytes = 262144;

    /// <summary>
    /// Version of the stored line format: 2 since rollouts carry their sampled tokens and per-token statistics (version 1,
    /// text only, had no header line).
    /// </summary>
    public const int FormatVersion = 2;

    private readonly IObjectStore _store;

    /// <summary>A shard store over <paramref name="store"/>; records whose JSON exceeds <paramref name="inlineLimitBytes"/> go by key only.</summary>
    public ShardStore(IObjectStore store, int inlineLimitBytes = DefaultInlineLimitBytes)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfNegative(inlineLimitBytes);
        _store = store;
        InlineLimitBytes = inlineLimitBytes;
    }

    /// <summary>The inline bound in bytes of JSON.</summary>
    public int InlineLimitBytes { get; }

    /// <summary>The underlying object store.</summary>
    public IObjectStore Objects => _store;

    /// <summary>The stored output under <paramref name="key"/>, or null when it does not exist yet.</summary>
    public async Task<StoredShard<T>?> TryReadAsync<T>(string key, CancellationToken cancellationToken = default)
    {
        byte[] bytes;
        try
        {
            await using var stream = await _store.OpenReadAsync(key, cancellationToken);
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, cancellationToken);
            bytes = buffer.ToArray();
        }
        catch (ObjectNotFoundException)
        {
            return null;
        }
        var records = ParseLines<T>(key, bytes);
        var summary = await ReadSummaryAsync(key, cancellationToken);
        return new StoredShard<T>(key, records, summary, bytes.Length <= InlineLimitBytes ? records : null, Reused: true);
    }

    /// <summary>The records under <paramref name="key"/>.</summary>
    /// <exception cref="ObjectNotFoundException">Nothing is stored there.</exception>
    public async Task<IReadOnlyList<T>> ReadAsync<T>(string key, CancellationToken cancellationToken = default) =>
        (await TryReadAsync<T>(key, cancellationToken) ?? throw new ObjectNotFoundException(key)).Records;

    /// <summary>
    /// Writes <paramref name="records"/> and <paramref name="summary"/> under <paramref name="key"/>, create-only. When
    /// the key is taken already (another delivery of the same work finished first) the stored output is returned instead,
    /// with <see cref="StoredShard{T}.Reused"/> set.
    /// </summary>
    public async Task<StoredShard<T>> WriteAsync<T>(string key, IReadOnlyList<T> records, IReadOnlyDictionary<string, double> summary,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(summary);
        var bytes = ToLines(records);
        var summaryBytes = JsonSerializer.SerializeToUtf8Bytes(summary, StoredJson.Lines);
        // Deterministic work gives the same summary whoever writes it, so the summary may be overwritten; the lines may not.
        await _store.PutAsync(CampaignKeys.ShardSummary(key), new MemoryStream(summaryBytes, writable: false), PutMode.Overwrite, cancellationToken);
        try
        {
            await _store.PutAsync(key, new MemoryStream(bytes, writable: false), PutMode.CreateOnly, cancellationToken);
        }
        catch (ObjectAlreadyExistsException)
        {
            return await TryReadAsync<T>(key, cancellationToken) ?? throw new ObjectNotFoundException(key);
        }
        return new StoredShard<T>(key, records, summary, bytes.Length <= InlineLimitBytes ? records : null, Reused: false);
    }

    /// <summary>The rollouts a message carries: inline when present, otherwise read by key.</summary>
    public async Task<IReadOnlyList<Rollout>> RolloutsAsync(IRolloutPayload payload, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (payload.Rollouts is { } inline) return inline;
        return await ReadAsync<Rollout>(payload.RolloutsKey, cancellationToken);
    }

    /// <summary>The records as JSON lines (UTF-8, the format header then one record per line, each line ending in '\n').</summary>
    public static byte[] ToLines<T>(IEnumerable<T> records)
    {
        using var buffer = new MemoryStream();
        JsonSerializer.Serialize(buffer, new ShardHeader(FormatVersion, typeof(T).Name), StoredJson.Lines);
        buffer.WriteByte((byte)'\n');
        foreach (var record in records)
        {
            JsonSerializer.Serialize(buffer, record, StoredJson.Lines);
            buffer.WriteByte((byte)'\n');
        }
        return buffer.ToArray();
    }

    /// <summary>Parses JSON lines written by <see cref="ToLines{T}"/>; <paramref name="source"/> names the data in errors.</summary>
    /// <exception cref="InvalidDataException">The header is missing or of another version or record type, or a line is not a valid record.</exception>
    public static IReadOnlyList<T> ParseLines<T>(string source, byte[] bytes)
    {
        var records = new List<T>();
        var lines = Encoding.UTF8.GetString(bytes).Split('\n');
        RequireHeader<T>(source, lines[0]);
        int lineNumber = 1;
        foreach (var line in lines.Skip(1))
        {
            lineNumber++;
            if (line.Length == 0) continue;
            try
            {
                records.Add(JsonSerializer.Deserialize<T>(line, StoredJson.Lines) ?? throw new JsonException("null record"));
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{source}: line {lineNumber} is not a valid {typeof(T).Name} ({e.Message}).", e);
            }
        }
        return records;
    }

    private static void RequireHeader<T>(string source, string line)
    {
        ShardHeader? header = null;
        try
        {
            using var document = JsonDocument.Parse(line);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("shardFormat", out _))
                header = document.RootElement.Deserialize<ShardHeader>(StoredJson.Lines);
        }
        catch (JsonException)
        {
        }
        if (header is null)
            throw new InvalidDataException($"{source}: no shard format header; it was written by an older Pipeline (format 1, text only). "
                + $"This version reads format {FormatVersion}: run the campaign again, or read it with the version that wrote it.");
        if (header.ShardFormat != FormatVersion)
            throw new InvalidDataException($"{source}: shard format {header.ShardFormat}; this version of Pipeline reads format {FormatVersion}.");
        if (header.Record != typeof(T).Name)
            throw new InvalidDataException($"{source}: holds {header.Record} records, not {typeof(T).Name}.");
    }

    /// <summary>The first line of a stored shard.</summary>
    private sealed record ShardHeader(int ShardFormat, string Record);

    private async Task<IReadOnlyDictionary<string, double>> ReadSummaryAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await _store.OpenReadAsync(CampaignKeys.ShardSummary(key), cancellationToken);
            return await JsonSerializer.DeserializeAsync<Dictionary<string, double>>(stream, StoredJson.Lines, cancellationToken)
                ?? new Dictionary<string, double>();
        }
        catch (ObjectNotFoundException)
        {
            return new Dictionary<string, double>();
        }
    }
}
