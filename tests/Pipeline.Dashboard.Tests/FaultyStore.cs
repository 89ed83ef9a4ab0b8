// A store that fails on purpose: while Broken, writes of keys the predicate picks throw, as a full disk or a storage
// outage would, so a stage faults to its error queue; cleared, the same store works again and a retry succeeds.
using Pipeline.Storage;

namespace Pipeline.Dashboard.Tests;

internal sealed class FaultyStore(IObjectStore inner, Func<string, bool> failsWrite) : IObjectStore
{
    public const string Reason = "injected failure: the disk is full";

    public volatile bool Broken = true;

    public Task PutAsync(string key, Stream content, PutMode mode = PutMode.Overwrite, CancellationToken cancellationToken = default) =>
        Broken && failsWrite(key) ? throw new IOException($"{Reason} ({key})") : inner.PutAsync(key, content, mode, cancellationToken);

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default) => inner.OpenReadAsync(key, cancellationToken);

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => inner.ExistsAsync(key, cancellationToken);

    public Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);

    public Task<IReadOnlyList<string>> ListFoldersAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListFoldersAsync(prefix, cancellationToken);

    public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);

    public Task<VersionedDocument?> ReadDocumentAsync(string key, CancellationToken cancellationToken = default) => inner.ReadDocumentAsync(key, cancellationToken);

    public Task<string> WriteDocumentAsync(string key, ReadOnlyMemory<byte> content, string? ifMatch, CancellationToken cancellationToken = default) =>
        inner.WriteDocumentAsync(key, content, ifMatch, cancellationToken);
}
