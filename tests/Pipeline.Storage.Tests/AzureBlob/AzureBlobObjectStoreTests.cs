// Runs the storage contract against the real Azurite (a fresh container per test, deleted afterwards), plus what only the
// blob store promises: block uploads, bounded retries and clear errors.
using System.Text;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Pipeline.Storage.AzureBlob;

namespace Pipeline.Storage.Tests.AzureBlob;

[Trait("Category", "Integration")]
public sealed class AzureBlobObjectStoreTests : StorageContractTests
{
    private readonly string _container = BlobTestSettings.UniqueContainer();

    protected override Task<IObjectStore> CreateStoreAsync() => Task.FromResult<IObjectStore>(
        new AzureBlobObjectStore(BlobTestSettings.Options(BlobTestSettings.ConnectionString, _container, TestBlockSize)));

    protected override async Task DeleteStoreAsync() =>
        await new BlobContainerClient(BlobTestSettings.ConnectionString, _container).DeleteIfExistsAsync();

    [Fact]
    public async Task PutAsync_LargerThanBlockSize_CommitsOneBlockPerBlockSize()
    {
        var content = RandomBytes(3 * TestBlockSize + 100);

        await Store.PutAsync("checkpoints/c1/iter-1/model.safetensors", new MemoryStream(content));

        var blob = new BlobContainerClient(BlobTestSettings.ConnectionString, _container)
            .GetBlockBlobClient("checkpoints/c1/iter-1/model.safetensors");
        var blocks = (await blob.GetBlockListAsync(BlockListTypes.All)).Value;
        Assert.Equal([TestBlockSize, TestBlockSize, TestBlockSize, 100], blocks.CommittedBlocks.Select(block => block.SizeLong));
        Assert.Empty(blocks.UncommittedBlocks);
    }

    [Fact]
    public async Task OpenReadAsync_ProductionChunkSize_ReadsMultiChunkBlobVerified()
    {
        // The production 4 MiB download ranges, each with the MD5 Azure computes for ranges of up to that size.
        var store = new AzureBlobObjectStore(BlobTestSettings.Options(BlobTestSettings.ConnectionString, _container, 1024 * 1024)
            with { DownloadChunkSize = 4 * 1024 * 1024 });
        var content = RandomBytes(4 * 1024 * 1024 + 1000);
        await store.PutAsync("checkpoints/c1/iter-1/model.safetensors", new MemoryStream(content));

        await using var stream = await store.OpenReadAsync("checkpoints/c1/iter-1/model.safetensors");
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);

        Assert.Equal(content, copy.ToArray());
    }

    [Fact]
    public async Task OpenReadAsync_ObjectReplacedWhileReading_FailsInsteadOfMixingVersions()
    {
        await Store.PutAsync("objects/moving.bin", new MemoryStream(RandomBytes(3 * TestBlockSize)));
        await using var stream = await Store.OpenReadAsync("objects/moving.bin");
        var first = new byte[TestBlockSize];
        await stream.ReadExactlyAsync(first);

        await Store.PutAsync("objects/moving.bin", new MemoryStream(RandomBytes(3 * TestBlockSize)));
        var error = await Assert.ThrowsAsync<StorageException>(() => stream.CopyToAsync(Stream.Null));

        Assert.Contains("'objects/moving.bin' was replaced while it was being read", error.Message);
    }

    [Fact]
    public async Task PutAsync_SourceBreaksMidway_LeavesNothingVisible()
    {
        var error = await Assert.ThrowsAsync<IOException>(() =>
            Store.PutAsync("objects/new.bin", new ForwardOnlyStream(RandomBytes(3 * TestBlockSize), failAfter: 2 * TestBlockSize + 5)));

        Assert.Equal("source broke", error.Message);
        Assert.False(await Store.ExistsAsync("objects/new.bin"));
        Assert.Empty(await Store.ListAsync(""));
    }

    [Fact]
    public async Task PutAsync_WrongAccountKey_FailsAtOnceWithMessageNamingKeyAndStatus()
    {
        var wrongKey = Convert.ToBase64String(Encoding.ASCII.GetBytes("not-the-development-account-key-at-all-0123456789"));
        var store = new AzureBlobObjectStore(BlobTestSettings.Options(
            BlobTestSettings.ConnectionStringForPort(DevelopmentPort(), wrongKey), _container, TestBlockSize));

        var error = await Assert.ThrowsAsync<StorageException>(() => store.PutAsync("objects/denied.bin", new MemoryStream([1, 2, 3])));

        Assert.Equal("objects/denied.bin", error.Key);
        Assert.Contains("'objects/denied.bin'", error.Message);
        Assert.Contains("HTTP 403", error.Message);
        Assert.Contains("non-transient", error.Message);
    }

    [Fact]
    public async Task PutAsync_ServerUnreachable_RetriesBoundedAttemptsThenFailsClearly()
    {
        var store = new AzureBlobObjectStore(BlobTestSettings.Options(
            BlobTestSettings.ConnectionStringForPort(AzuriteProcess.FreePort()), _container, TestBlockSize));

        var error = await Assert.ThrowsAsync<StorageException>(() => store.PutAsync("objects/unreachable.bin", new MemoryStream([1, 2, 3])));

        Assert.Contains("'objects/unreachable.bin'", error.Message);
        // Exactly the configured budget: the SDK's own retries are off, so they do not multiply the attempts.
        Assert.Contains("after 3 attempt(s)", error.Message);
        Assert.Contains("no response", error.Message);
    }

    private static int DevelopmentPort()
    {
        var endpoint = new BlobServiceClient(BlobTestSettings.ConnectionString).Uri;
        return endpoint.Port;
    }
}
