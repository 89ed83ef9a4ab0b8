// The embedded default store: objects are plain files under a root folder, so a person can browse a campaign on disk.
// Every write goes to a temp file first and is renamed into place; writes to one key are serialised by a lock file so that
// create-only puts and compare-and-swap document writes stay correct across processes.
using System.Buffers;
using System.Security.Cryptography;
using System.IO.Enumeration;

namespace Pipeline.Storage.Folder;

/// <summary>An <see cref="IObjectStore"/> over a local folder: key <c>a/b/c.json</c> is the file <c>{root}/a/b/c.json</c>.</summary>
/// <remarks>
/// A document's version tag is derived from its content (SHA-256), so compare-and-swap compares the value a writer read
/// with the value on disk; equal content gives an equal tag.
/// </remarks>
public sealed class FolderObjectStore : IObjectStore
{
    // Temp files and lock files live here, inside the root so renames stay on one file system. Keys cannot start with '.'.
    private const string BookkeepingFolder = ".pipeline";
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(30);

    private readonly string _tempFolder;
    private readonly string _lockFolder;

    /// <summary>Creates a store rooted at <paramref name="root"/> (created when missing).</summary>
    /// <exception cref="IOException">The root, or a folder above it, is a file.</exception>
    public FolderObjectStore(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
        _tempFolder = Path.Combine(Root, BookkeepingFolder, "tmp");
        _lockFolder = Path.Combine(Root, BookkeepingFolder, "locks");
        // The system's message for a file in the way names a path inside the store, not the file the user gave.
        for (var path = Root; path is not null; path = Path.GetDirectoryName(path))
        {
            if (File.Exists(path))
                throw new IOException($"Store folder '{Root}' cannot be created: '{path}' is a file.");
            if (Directory.Exists(path))
                break;
        }
        Directory.CreateDirectory(_tempFolder);
        Directory.CreateDirectory(_lockFolder);
    }

    /// <summary>The absolute root folder.</summary>
    public string Root { get; }

    /// <inheritdoc />
    public async Task PutAsync(string key, Stream content, PutMode mode = PutMode.Overwrite, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        ArgumentNullException.ThrowIfNull(content);
        var path = PathOf(key);
        var temp = NewTempPath();
        // Failures of the caller's stream propagate as they are; only failures of the folder become StorageExceptions.
        var readingSource = false;
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            await WriteDurablyAsync(temp, async file =>
            {
                while (true)
                {
                    readingSource = true;
                    var read = await content.ReadAsync(buffer, cancellationToken);
                    readingSource = false;
                    if (read == 0) return;
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
            }, cancellationToken);
            using (await KeyLock.AcquireAsync(LockPathOf(key), key, LockTimeout, cancellationToken))
            {
                if (mode == PutMode.CreateOnly && (File.Exists(path) || Directory.Exists(path)))
                    throw new ObjectAlreadyExistsException(key);
                try
                {
                    MoveIntoPlace(temp, path, overwrite: mode == PutMode.Overwrite);
                }
                catch (IOException e) when (mode == PutMode.CreateOnly && File.Exists(path))
                {
                    // Someone outside this store's locking (a person, another tool) created the file in the meantime.
                    throw new ObjectAlreadyExistsException(key, e);
                }
            }
        }
        catch (Exception e) when (!readingSource && (e is IOException or UnauthorizedAccessException))
        {
            throw new StorageException(key, $"Writing '{key}' under folder '{Root}' failed: {e.Message}", e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            File.Delete(temp);
        }
    }

    /// <inheritdoc />
    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        try
        {
            // FileShare.Delete: a writer may rename a new version over this path while we read the old one.
            Stream stream = new FileStream(PathOf(key), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete,
                bufferSize: 81920, FileOptions.Asynchronous | FileOptions.SequentialScan);
            return Task.FromResult(stream);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ObjectNotFoundException(key, e);
        }
    }

    /// <inheritdoc />
    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        return Task.FromResult(File.Exists(PathOf(key)));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        ObjectKey.ValidatePrefix(prefix);
        var keys = FilesUnder(ParentFolderOf(prefix))
            .Select(KeyOf)
            .Where(key => key.StartsWith(prefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        return Task.FromResult<IReadOnlyList<string>>(keys);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListFoldersAsync(string prefix, CancellationToken cancellationToken = default)
    {
        ObjectKey.ValidatePrefix(prefix);
        var parent = ParentFolderOf(prefix);
        if (!Directory.Exists(parent))
            return Task.FromResult<IReadOnlyList<string>>([]);
        var folders = Directory.EnumerateDirectories(parent)
            .Where(folder => !Path.GetFileName(folder).StartsWith('.'))
            .Select(folder => KeyOf(folder) + "/")
            .Where(key => key.StartsWith(prefix, StringComparison.Ordinal))
            // Deleting a key leaves its folders behind on disk; a blob store has no empty folders, so neither may this one.
            .Where(key => FilesUnder(PathOf(key)).Any())
            .Order(StringComparer.Ordinal)
            .ToList();
        return Task.FromResult<IReadOnlyList<string>>(folders);
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        var path = PathOf(key);
        using (await KeyLock.AcquireAsync(LockPathOf(key), key, LockTimeout, cancellationToken))
        {
            if (!File.Exists(path)) return false;
            File.Delete(path);
            return true;
        }
    }

    /// <inheritdoc />
    public async Task<VersionedDocument?> ReadDocumentAsync(string key, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        var content = await TryReadAllBytesAsync(PathOf(key), cancellationToken);
        return content is null ? null : new VersionedDocument(content, TagOf(content));
    }

    /// <inheritdoc />
    public async Task<string> WriteDocumentAsync(string key, ReadOnlyMemory<byte> content, string? ifMatch, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        var path = PathOf(key);
        var temp = NewTempPath();
        try
        {
            await WriteDurablyAsync(temp, destination => destination.WriteAsync(content, cancellationToken).AsTask(), cancellationToken);
            using (await KeyLock.AcquireAsync(LockPathOf(key), key, LockTimeout, cancellationToken))
            {
                var current = await TryReadAllBytesAsync(path, cancellationToken);
                var holds = ifMatch is null ? current is null : current is not null && TagOf(current) == ifMatch;
                if (!holds)
                    throw new ConcurrencyConflictException(key, ifMatch);
                MoveIntoPlace(temp, path, overwrite: true);
            }
            return TagOf(content.Span);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageException(key, $"Writing document '{key}' under folder '{Root}' failed: {e.Message}", e);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private string PathOf(string key) => Path.Combine(Root, key.Replace('/', Path.DirectorySeparatorChar));

    private string KeyOf(string path) => Path.GetRelativePath(Root, path).Replace(Path.DirectorySeparatorChar, '/');

    // The folder whose contents a prefix selects from: up to its last '/' (a prefix may end inside a name).
    private string ParentFolderOf(string prefix)
    {
        var slash = prefix.LastIndexOf('/');
        return slash < 0 ? Root : Path.Combine(Root, prefix[..slash]);
    }

    // Every file below a folder (none when it does not exist), skipping dot-names: the bookkeeping folder and temp files.
    private static IEnumerable<string> FilesUnder(string folder)
    {
        if (!Directory.Exists(folder))
            return [];
        return new FileSystemEnumerable<string>(folder,
            (ref FileSystemEntry entry) => entry.ToFullPath(),
            new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 })
        {
            ShouldRecursePredicate = (ref FileSystemEntry entry) => !entry.FileName.StartsWith('.'),
            ShouldIncludePredicate = (ref FileSystemEntry entry) => !entry.IsDirectory && !entry.FileName.StartsWith('.'),
        };
    }

    internal string LockPathOf(string key) =>
        Path.Combine(_lockFolder, Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)))[..32] + ".lock");

    private string NewTempPath() => Path.Combine(_tempFolder, Guid.NewGuid().ToString("N"));

    private static string TagOf(ReadOnlySpan<byte> content) => "\"" + Convert.ToHexStringLower(SHA256.HashData(content))[..32] + "\"";

    // Flushed to disk before the rename: a checkpoint manifest written after its files must not outlive them on power loss.
    private static async Task WriteDurablyAsync(string path, Func<FileStream, Task> write, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous);
        await write(file);
        await file.FlushAsync(cancellationToken);
        file.Flush(flushToDisk: true);
    }

    private static void MoveIntoPlace(string temp, string path, bool overwrite)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // Without overwrite .NET links the file in place (fails if the target exists) rather than renaming over it.
        File.Move(temp, path, overwrite);
    }

    private static async Task<byte[]?> TryReadAllBytesAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }
}
