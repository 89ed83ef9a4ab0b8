// The one low-level storage contract: keyed objects (streams), create-only puts, prefix and folder listing and small
// documents with optimistic concurrency. Checkpoint logic lives once above it (Checkpoints/CheckpointStore.cs).
namespace Pipeline.Storage;

/// <summary>
/// A store of objects addressed by forward-slash keys such as <c>checkpoints/c1/iter-3/model.safetensors</c>.
/// Writes are all-or-nothing: a reader sees either the previous object or the complete new one, never a partial one.
/// </summary>
public interface IObjectStore
{
    /// <summary>Writes <paramref name="content"/> (read once, from its current position to its end) under <paramref name="key"/>.</summary>
    /// <param name="key">Object key.</param>
    /// <param name="content">Data to store.</param>
    /// <param name="mode">Whether an existing object may be replaced.</param>
    /// <param name="cancellationToken">Cancels the write; nothing becomes visible when it is cancelled.</param>
    /// <exception cref="ObjectAlreadyExistsException">With <see cref="PutMode.CreateOnly"/> when the key already exists.</exception>
    /// <exception cref="StorageException">When the write fails for any other reason (after retries where those apply).</exception>
    Task PutAsync(string key, Stream content, PutMode mode = PutMode.Overwrite, CancellationToken cancellationToken = default);

    /// <summary>Opens the object for sequential reading. The caller disposes the stream.</summary>
    /// <exception cref="ObjectNotFoundException">When no object exists under the key.</exception>
    Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Whether an object exists under <paramref name="key"/>.</summary>
    Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Keys that start with <paramref name="prefix"/> (plain string prefix; empty lists everything), in ordinal order.</summary>
    Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>
    /// The folders directly below <paramref name="prefix"/> (a plain string prefix, as for <see cref="ListAsync"/>): for
    /// every key that starts with it and has a '/' after it, the key up to and including that '/', once each, in ordinal
    /// order; for prefix <c>campaigns/</c> that is <c>campaigns/c1/</c>, <c>campaigns/c2/</c> and so on. Nothing inside the
    /// folders is listed, so the cost does not grow with the objects they hold; a folder holding no object is not listed.
    /// </summary>
    Task<IReadOnlyList<string>> ListFoldersAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>Deletes the object; returns false when there was none.</summary>
    Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Reads a small document together with its version tag, or null when it does not exist.</summary>
    Task<VersionedDocument?> ReadDocumentAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes a small document only if its current version tag equals <paramref name="ifMatch"/>, or, when
    /// <paramref name="ifMatch"/> is null, only if the document does not exist yet. Returns the new version tag.
    /// </summary>
    /// <exception cref="ConcurrencyConflictException">When the condition does not hold (another writer won).</exception>
    Task<string> WriteDocumentAsync(string key, ReadOnlyMemory<byte> content, string? ifMatch, CancellationToken cancellationToken = default);
}

/// <summary>How <see cref="IObjectStore.PutAsync"/> treats an existing object.</summary>
public enum PutMode
{
    /// <summary>Replace any existing object.</summary>
    Overwrite,

    /// <summary>Fail with <see cref="ObjectAlreadyExistsException"/> when the key exists (idempotent stage outputs).</summary>
    CreateOnly,
}

/// <summary>A small document's bytes and the opaque version tag to pass back as If-Match when replacing it.</summary>
/// <param name="Content">The document's bytes.</param>
/// <param name="ETag">Opaque version tag; changes whenever the content changes.</param>
public sealed record VersionedDocument(byte[] Content, string ETag);
