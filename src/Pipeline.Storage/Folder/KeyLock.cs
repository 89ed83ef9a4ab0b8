// An exclusive lock per key held through an OS file lock (FileShare.None is flock(LOCK_EX) on Unix and a share-mode
// lock on Windows), so it excludes writers in other processes as well as in this one. Lock files are never deleted:
// deleting a lock file while another process waits on it would let two holders in.
namespace Pipeline.Storage.Folder;

internal sealed class KeyLock : IDisposable
{
    private readonly FileStream _handle;

    private KeyLock(FileStream handle) => _handle = handle;

    public static async Task<KeyLock> AcquireAsync(string lockPath, string key, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return new KeyLock(new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None));
            }
            catch (IOException e) when (e is not DirectoryNotFoundException && DateTime.UtcNow < deadline)
            {
                // Held by another writer: critical sections are a check and a rename, so a short randomised wait suffices.
                await Task.Delay(Random.Shared.Next(1, 6), cancellationToken);
            }
            catch (IOException e)
            {
                throw new StorageException(key, $"Could not take the write lock of '{key}' ({lockPath}) in {timeout.TotalSeconds:0} s: {e.Message}", e);
            }
        }
    }

    public void Dispose() => _handle.Dispose();
}
