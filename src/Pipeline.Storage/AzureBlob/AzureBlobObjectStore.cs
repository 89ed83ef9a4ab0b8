// The distributed store: objects are block blobs in one container, key = blob name, so the layout browses the same way in
// Azure Storage Explorer as on disk. Uploads are always staged block by block (MD5 per block, each block retried on its
// own) and become visible only when the block list is committed, so a failed upload never leaves a partial object.
using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace Pipeline.Storage.AzureBlob;

/// <summary>An <see cref="IObjectStore"/> over an Azure Blob container (Azurite in development and tests).</summary>
public sealed class AzureBlobObjectStore : IObjectStore
{
    private const int MaxDownloadChunkSize = 4 * 1024 * 1024;
    private const int MaxBlockSize = 256 * 1024 * 1024;
    // Set on conditional document writes so that a retried write can recognise its own earlier, lost-reply success.
    private const string WriteIdMetadata = "pipelinewriteid";

    private readonly BlobContainerClient _container;
    private readonly BlobRequestRunner _runner;
    private readonly int _blockSize;
    private volatile bool _containerReady;

    /// <summary>The settings this store was created with.</summary>
    public AzureBlobStoreOptions Options { get; }

    /// <summary>Creates a store for the container named in <paramref name="options"/>; the container is created on first use.</summary>
    public AzureBlobObjectStore(AzureBlobStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ConnectionString);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BlockSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.BlockSize, MaxBlockSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.DownloadChunkSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.DownloadChunkSize, MaxDownloadChunkSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxAttempts, 1);
        Options = options;
        _blockSize = options.BlockSize;
        var clientOptions = new BlobClientOptions();
        // Polly (BlobRequestRunner) is the one retry policy; the SDK's own retries would multiply the attempts.
        clientOptions.Retry.MaxRetries = 0;
        clientOptions.Retry.NetworkTimeout = options.NetworkTimeout;
        _container = new BlobContainerClient(options.ConnectionString, options.Container, clientOptions);
        _runner = new BlobRequestRunner(options);
    }

    /// <inheritdoc />
    public async Task PutAsync(string key, Stream content, PutMode mode = PutMode.Overwrite, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        ArgumentNullException.ThrowIfNull(content);
        await EnsureContainerAsync(key, cancellationToken);
        var blob = _container.GetBlockBlobClient(key);
        var uploadId = Guid.NewGuid().ToString("N");
        var blockIds = new List<string>();
        var buffer = ArrayPool<byte>.Shared.Rent(_blockSize);
        try
        {
            while (true)
            {
                var length = await content.ReadAtLeastAsync(buffer.AsMemory(0, _blockSize), _blockSize, throwOnEndOfStream: false, cancellationToken);
                if (length == 0) break;
                var blockId = Convert.ToBase64String(Encoding.ASCII.GetBytes($"{uploadId}-{blockIds.Count:D6}"));
                var md5 = MD5.HashData(buffer.AsSpan(0, length));
                await _runner.RunAsync(key, $"upload of block {blockIds.Count}", async (_, token) =>
                {
                    using var block = new MemoryStream(buffer, 0, length, writable: false);
                    await blob.StageBlockAsync(blockId, block, new BlockBlobStageBlockOptions
                    {
                        TransferValidation = new UploadTransferValidationOptions
                        {
                            ChecksumAlgorithm = StorageChecksumAlgorithm.MD5,
                            PrecalculatedChecksum = md5,
                        },
                    }, token);
                }, cancellationToken);
                blockIds.Add(blockId);
                if (length < _blockSize) break;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        var conditions = mode == PutMode.CreateOnly ? new BlobRequestConditions { IfNoneMatch = ETag.All } : null;
        await _runner.RunAsync(key, "block list commit", async (attempt, token) =>
        {
            try
            {
                await blob.CommitBlockListAsync(blockIds, new CommitBlockListOptions { Conditions = conditions }, token);
            }
            catch (RequestFailedException e) when (conditions is not null && e.Status is 409 or 412)
            {
                // A retry may meet its own earlier commit whose reply was lost: then the committed blocks are exactly ours.
                if (attempt > 1 && await HasCommittedBlocksAsync(blob, blockIds, token)) return;
                throw new ObjectAlreadyExistsException(key, e);
            }
            catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.InvalidBlockList)
            {
                // A commit discards the uncommitted blocks it does not list, so a concurrent upload to the same key that
                // committed first took ours with it; under create-only that simply means the other writer won.
                if (conditions is not null && (await blob.ExistsAsync(token)).Value)
                    throw new ObjectAlreadyExistsException(key, e);
                throw new StorageException(key,
                    $"Azure Blob commit of '{key}' in container '{_container.Name}' failed: the server no longer holds its staged blocks "
                    + "(another upload to the same key committed at the same time, or the server lost them in a restart).", e);
            }
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        var blob = _container.GetBlobClient(key);
        var properties = await _runner.RunAsync(key, "read", async (_, token) =>
        {
            try
            {
                return (await blob.GetPropertiesAsync(cancellationToken: token)).Value;
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                throw new ObjectNotFoundException(key, e);
            }
        }, cancellationToken);
        return new BlobChunkReadStream(blob, key, properties.ContentLength, properties.ETag, Options.DownloadChunkSize, _runner);
    }

    /// <inheritdoc />
    public async Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        var blob = _container.GetBlobClient(key);
        return await _runner.RunAsync(key, "existence check", async (_, token) => (await blob.ExistsAsync(token)).Value, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken = default) =>
        ListNamesAsync(prefix, "listing", (blobPrefix, token) =>
            _container.GetBlobsAsync(new GetBlobsOptions { Prefix = blobPrefix }, token).Select(item => item.Name), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListFoldersAsync(string prefix, CancellationToken cancellationToken = default) =>
        // The service groups names at the first '/' after the prefix and returns each group once, without its blobs.
        ListNamesAsync(prefix, "folder listing", (blobPrefix, token) =>
            _container.GetBlobsByHierarchyAsync(new GetBlobsByHierarchyOptions { Delimiter = "/", Prefix = blobPrefix }, token)
                .Where(item => item.IsPrefix).Select(item => item.Prefix), cancellationToken);

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        var blob = _container.GetBlobClient(key);
        return await _runner.RunAsync(key, "delete", async (_, token) =>
            (await blob.DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: token)).Value, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<VersionedDocument?> ReadDocumentAsync(string key, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        var blob = _container.GetBlobClient(key);
        return await _runner.RunAsync(key, "document read", async (_, token) =>
        {
            try
            {
                var result = (await blob.DownloadContentAsync(new BlobDownloadOptions
                {
                    TransferValidation = new DownloadTransferValidationOptions { ChecksumAlgorithm = StorageChecksumAlgorithm.MD5 },
                }, token)).Value;
                return new VersionedDocument(result.Content.ToArray(), result.Details.ETag.ToString());
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                return null;
            }
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<string> WriteDocumentAsync(string key, ReadOnlyMemory<byte> content, string? ifMatch, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        await EnsureContainerAsync(key, cancellationToken);
        var blob = _container.GetBlobClient(key);
        var writeId = Guid.NewGuid().ToString("N");
        var conditions = ifMatch is null
            ? new BlobRequestConditions { IfNoneMatch = ETag.All }
            : new BlobRequestConditions { IfMatch = new ETag(ifMatch) };
        return await _runner.RunAsync(key, "conditional document write", async (attempt, token) =>
        {
            try
            {
                var result = await blob.UploadAsync(new BinaryData(content), new BlobUploadOptions
                {
                    Conditions = conditions,
                    Metadata = new Dictionary<string, string> { [WriteIdMetadata] = writeId },
                    TransferValidation = new UploadTransferValidationOptions { ChecksumAlgorithm = StorageChecksumAlgorithm.MD5 },
                }, token);
                return result.Value.ETag.ToString();
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412)
            {
                if (attempt > 1)
                {
                    var current = await blob.GetPropertiesAsync(cancellationToken: token);
                    if (current.Value.Metadata.TryGetValue(WriteIdMetadata, out var id) && id == writeId)
                        return current.Value.ETag.ToString();
                }
                throw new ConcurrencyConflictException(key, ifMatch, e);
            }
        }, cancellationToken);
    }

    // A listing with all its pages, retried as a whole; a container nothing was written to yet lists nothing.
    private async Task<IReadOnlyList<string>> ListNamesAsync(string prefix, string operation,
        Func<string?, CancellationToken, IAsyncEnumerable<string>> names, CancellationToken cancellationToken)
    {
        ObjectKey.ValidatePrefix(prefix);
        return await _runner.RunAsync(prefix, operation, async (_, token) =>
        {
            var listed = new List<string>();
            try
            {
                await foreach (var name in names(prefix.Length == 0 ? null : prefix, token))
                    listed.Add(name);
            }
            catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.ContainerNotFound)
            {
                // Nothing has been written yet.
            }
            listed.Sort(StringComparer.Ordinal);
            return (IReadOnlyList<string>)listed;
        }, cancellationToken);
    }

    private async Task EnsureContainerAsync(string key, CancellationToken cancellationToken)
    {
        if (_containerReady) return;
        await _runner.RunAsync(key, $"creation of container '{_container.Name}'",
            (_, token) => _container.CreateIfNotExistsAsync(cancellationToken: token), cancellationToken);
        _containerReady = true;
    }

    private static async Task<bool> HasCommittedBlocksAsync(BlockBlobClient blob, List<string> blockIds, CancellationToken cancellationToken)
    {
        var committed = (await blob.GetBlockListAsync(BlockListTypes.Committed, cancellationToken: cancellationToken)).Value.CommittedBlocks;
        return committed.Select(block => block.Name).SequenceEqual(blockIds);
    }
}
