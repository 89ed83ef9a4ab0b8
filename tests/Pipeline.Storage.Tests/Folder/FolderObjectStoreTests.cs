// Runs the storage contract against the folder store on a temp folder, plus what only the folder store promises.
using System.Diagnostics;
using System.Text;
using Pipeline.Storage.Folder;

namespace Pipeline.Storage.Tests.Folder;

public sealed class FolderObjectStoreTests : StorageContractTests
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "pipeline-folder-store-" + Guid.NewGuid().ToString("N"));

    protected override int ConcurrentRounds => 200;

    protected override Task<IObjectStore> CreateStoreAsync() => Task.FromResult<IObjectStore>(new FolderObjectStore(_root));

    protected override Task DeleteStoreAsync()
    {
        Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task PutAsync_KeyWithFolders_IsAPlainFileUnderTheRoot()
    {
        await Store.PutAsync("checkpoints/c1/iter-1/config.json", new MemoryStream(Encoding.UTF8.GetBytes("{}")));

        Assert.Equal("{}", await File.ReadAllTextAsync(Path.Combine(_root, "checkpoints", "c1", "iter-1", "config.json")));
    }

    [Fact]
    public async Task PutAsync_SuccessLostCreateOnlyAndBrokenSource_LeaveNoTempFiles()
    {
        await Assert.ThrowsAsync<IOException>(() => Store.PutAsync("a/broken.bin", new ForwardOnlyStream(RandomBytes(50_000), failAfter: 20_000)));
        await Store.PutAsync("a/b.bin", new MemoryStream(RandomBytes(1000)), PutMode.CreateOnly);
        await Assert.ThrowsAsync<ObjectAlreadyExistsException>(
            () => Store.PutAsync("a/b.bin", new MemoryStream(RandomBytes(1000)), PutMode.CreateOnly));
        await Store.WriteDocumentAsync("a/doc.json", Encoding.UTF8.GetBytes("{}"), ifMatch: null);
        await Assert.ThrowsAsync<ConcurrencyConflictException>(
            () => Store.WriteDocumentAsync("a/doc.json", Encoding.UTF8.GetBytes("{}"), ifMatch: null));

        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_root, ".pipeline", "tmp")));
        Assert.Equal(["a/b.bin", "a/doc.json"], await Store.ListAsync(""));
    }

    [Fact]
    public async Task WriteDocumentAsync_TwoStoreInstancesOnOneRoot_ExactlyOneWinsEachRound()
    {
        // Separate instances share nothing in memory: only the lock file (an OS lock per open file, as between two
        // processes) keeps their compare-and-swap exclusive.
        var other = new FolderObjectStore(_root);
        const string key = "campaigns/shared/state.json";
        var tag = await Store.WriteDocumentAsync(key, Encoding.UTF8.GetBytes("0"), ifMatch: null);
        for (var round = 1; round <= ConcurrentRounds; round++)
        {
            var seen = tag;
            var content = Encoding.UTF8.GetBytes(round.ToString());
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var attempts = new[] { Store, other, Store, other }.Select(store => Task.Run(async () =>
            {
                await start.Task;
                try
                {
                    return await store.WriteDocumentAsync(key, content, seen);
                }
                catch (ConcurrencyConflictException)
                {
                    return null;
                }
            })).ToArray();
            start.SetResult();

            tag = Assert.Single((await Task.WhenAll(attempts)).OfType<string>());
            var current = await other.ReadDocumentAsync(key);
            Assert.Equal(tag, current?.ETag);
        }
    }

    [Fact]
    public async Task WriteDocumentAsync_LockHeldByAnotherProcess_WaitsUntilItIsReleased()
    {
        // util-linux flock(1) takes the same OS lock (flock(2), exclusive) from a separate process.
        var store = (FolderObjectStore)Store;
        const string key = "campaigns/c1/state.json";
        var acquired = Path.Combine(_root, "held");
        var finishing = Path.Combine(_root, "finishing");
        // The holder keeps the lock until flock(1) itself exits, which is after it has created "finishing".
        using var holder = Process.Start(new ProcessStartInfo("flock")
        {
            ArgumentList = { "--exclusive", store.LockPathOf(key), "--command", $"touch '{acquired}' && sleep 1.5 && touch '{finishing}'" },
            UseShellExecute = false,
        })!;
        while (!File.Exists(acquired) && !holder.HasExited) await Task.Delay(10);
        Assert.True(File.Exists(acquired), "the lock holder ended before taking the lock");

        await store.WriteDocumentAsync(key, Encoding.UTF8.GetBytes("{}"), ifMatch: null);

        Assert.True(File.Exists(finishing), "the write went through while another process held the key's lock");
        await holder.WaitForExitAsync();
        Assert.Equal(0, holder.ExitCode);
    }
}
