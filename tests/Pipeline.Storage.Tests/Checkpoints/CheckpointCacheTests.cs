// The local checkpoint cache over a real folder store: one verified copy per manifest hash, never a partial one.
using Pipeline.Storage.Checkpoints;
using Pipeline.Storage.Folder;

namespace Pipeline.Storage.Tests.Checkpoints;

public sealed class CheckpointCacheTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("pipeline-cache-tests-").FullName;
    private readonly FolderObjectStore _store;
    private readonly CheckpointStore _checkpoints;

    public CheckpointCacheTests()
    {
        _store = new FolderObjectStore(Path.Combine(_work, "store"));
        _checkpoints = new CheckpointStore(_store);
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task GetAsync_FirstUse_DownloadsVerifiedCopyNamedByManifestHash()
    {
        var source = CheckpointSource.Write(Path.Combine(_work, "source"), 100_000);
        var reference = await _checkpoints.SaveAsync("checkpoints/c1/iter-1/", source);
        var cache = new CheckpointCache(_checkpoints, Path.Combine(_work, "cache"));

        var folder = await cache.GetAsync(reference);

        Assert.Equal(Path.Combine(cache.Directory, reference.ManifestSha256), folder);
        CheckpointSource.AssertSameFiles(source, folder);
    }

    [Fact]
    public async Task GetAsync_SecondUse_ServesLocalCopyWithoutTheStore()
    {
        var source = CheckpointSource.Write(Path.Combine(_work, "source"), 10_000);
        var reference = await _checkpoints.SaveAsync("checkpoints/c1/iter-1/", source);
        var cache = new CheckpointCache(_checkpoints, Path.Combine(_work, "cache"));
        var first = await cache.GetAsync(reference);
        foreach (var key in await _store.ListAsync(reference.Prefix))
            await _store.DeleteAsync(key);

        var second = await cache.GetAsync(reference);

        Assert.Equal(first, second);
        CheckpointSource.AssertSameFiles(source, second);
    }

    [Fact]
    public async Task GetAsync_CorruptCheckpoint_ThrowsAndCachesNothing()
    {
        var reference = await _checkpoints.SaveAsync("checkpoints/c1/iter-1/", CheckpointSource.Write(Path.Combine(_work, "source"), 10_000));
        await _store.PutAsync("checkpoints/c1/iter-1/model.safetensors", new MemoryStream(new byte[10_000]));
        var cache = new CheckpointCache(_checkpoints, Path.Combine(_work, "cache"));

        await Assert.ThrowsAsync<CheckpointCorruptException>(() => cache.GetAsync(reference));

        Assert.Empty(Directory.EnumerateFileSystemEntries(cache.Directory));
    }

    [Fact]
    public async Task GetAsync_ConcurrentFirstUses_AllReturnTheSameCompleteCopy()
    {
        var source = CheckpointSource.Write(Path.Combine(_work, "source"), 300_000);
        var reference = await _checkpoints.SaveAsync("checkpoints/c1/iter-1/", source);
        var cache = new CheckpointCache(_checkpoints, Path.Combine(_work, "cache"));

        var folders = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => cache.GetAsync(reference))));

        Assert.Single(folders.Distinct());
        CheckpointSource.AssertSameFiles(source, folders[0]);
        Assert.Equal([reference.ManifestSha256], Directory.EnumerateFileSystemEntries(cache.Directory).Select(Path.GetFileName));
    }
}
