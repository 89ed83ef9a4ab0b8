// Workers load the same checkpoint many times: this keeps one verified local copy per manifest hash. A copy exists only
// once complete, because CheckpointStore.DownloadAsync moves the folder into place after verification.
using Pipeline.Contracts;

namespace Pipeline.Storage.Checkpoints;

/// <summary>A local folder of verified checkpoints, one sub-folder per manifest SHA-256.</summary>
public sealed class CheckpointCache
{
    private readonly CheckpointStore _store;

    /// <summary>Creates a cache in <paramref name="cacheDirectory"/> (created when missing).</summary>
    public CheckpointCache(CheckpointStore store, string cacheDirectory)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        Directory = System.IO.Directory.CreateDirectory(Path.GetFullPath(cacheDirectory)).FullName;
    }

    /// <summary>The cache's root folder.</summary>
    public string Directory { get; }

    /// <summary>Returns the local folder holding <paramref name="checkpoint"/>, downloading and verifying it on first use.</summary>
    public async Task<string> GetAsync(CheckpointReference checkpoint, CancellationToken cancellationToken = default)
    {
        // Validated before its hash names a folder.
        CheckpointReferences.Validate(checkpoint);
        var folder = Path.Combine(Directory, checkpoint.ManifestSha256);
        if (System.IO.Directory.Exists(folder)) return folder;
        try
        {
            await _store.DownloadAsync(checkpoint, folder, cancellationToken);
        }
        catch (IOException) when (System.IO.Directory.Exists(folder) && System.IO.Directory.EnumerateFileSystemEntries(folder).Any())
        {
            // Another process or task finished the same download first; its copy was verified just like ours.
        }
        return folder;
    }
}
