// Test decorator over a real store: records the order of puts, reads and prefix listings, and lets a test watch the
// bytes a put reads, to act at an exact point of an upload (for example stop the server after the second block). Also
// linked into the stages' tests, to count what a stage reads and lists.
namespace Pipeline.Storage.Tests;

internal sealed class ObservedObjectStore(IObjectStore inner, Func<string, Stream, Stream>? wrapContent = null) : IObjectStore
{
    private readonly List<string> _putKeys = [];
    private readonly List<string> _readKeys = [];
    private readonly List<string> _listedPrefixes = [];

    public IReadOnlyList<string> PutKeys
    {
        get { lock (_putKeys) return [.. _putKeys]; }
    }

    public IReadOnlyList<string> ReadKeys
    {
        get { lock (_readKeys) return [.. _readKeys]; }
    }

    public IReadOnlyList<string> ListedPrefixes
    {
        get { lock (_listedPrefixes) return [.. _listedPrefixes]; }
    }

    public Task PutAsync(string key, Stream content, PutMode mode = PutMode.Overwrite, CancellationToken cancellationToken = default)
    {
        lock (_putKeys) _putKeys.Add(key);
        return inner.PutAsync(key, wrapContent?.Invoke(key, content) ?? content, mode, cancellationToken);
    }

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default)
    {
        lock (_readKeys) _readKeys.Add(key);
        return inner.OpenReadAsync(key, cancellationToken);
    }

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => inner.ExistsAsync(key, cancellationToken);

    public Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        lock (_listedPrefixes) _listedPrefixes.Add(prefix);
        return inner.ListAsync(prefix, cancellationToken);
    }

    public Task<IReadOnlyList<string>> ListFoldersAsync(string prefix, CancellationToken cancellationToken = default) =>
        inner.ListFoldersAsync(prefix, cancellationToken);

    public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);
    public Task<VersionedDocument?> ReadDocumentAsync(string key, CancellationToken cancellationToken = default) => inner.ReadDocumentAsync(key, cancellationToken);

    public Task<string> WriteDocumentAsync(string key, ReadOnlyMemory<byte> content, string? ifMatch, CancellationToken cancellationToken = default) =>
        inner.WriteDocumentAsync(key, content, ifMatch, cancellationToken);
}
