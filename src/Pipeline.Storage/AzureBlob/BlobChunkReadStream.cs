// Sequential read of a blob as ranged downloads (at most 4 MiB, the largest range Azure gives an MD5 for), each MD5-validated and retried on its own, so a broken
// connection mid-file costs one chunk rather than the whole download. Every range is pinned to the ETag seen when the
// stream was opened: if the blob is replaced while being read, the read fails instead of mixing two versions.
using Azure;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Pipeline.Storage.AzureBlob;

internal sealed class BlobChunkReadStream(BlobClient blob, string key, long length, ETag etag, int chunkSize, BlobRequestRunner runner) : Stream
{
    private long _position;
    private ReadOnlyMemory<byte> _chunk = ReadOnlyMemory<byte>.Empty;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => length;

    public override long Position
    {
        get => _position - _chunk.Length;
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_chunk.IsEmpty)
        {
            if (_position >= length || buffer.IsEmpty) return 0;
            _chunk = await DownloadChunkAsync(cancellationToken);
        }
        var count = Math.Min(buffer.Length, _chunk.Length);
        _chunk.Span[..count].CopyTo(buffer.Span);
        _chunk = _chunk[count..];
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Synchronous callers (for example a synchronous JSON reader) block on the asynchronous download.
    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    private async Task<ReadOnlyMemory<byte>> DownloadChunkAsync(CancellationToken cancellationToken)
    {
        var offset = _position;
        var count = (int)Math.Min(chunkSize, length - offset);
        var chunk = await runner.RunAsync(key, $"download of bytes {offset}..{offset + count - 1}", async (_, token) =>
        {
            try
            {
                var result = (await blob.DownloadContentAsync(new BlobDownloadOptions
                {
                    Range = new HttpRange(offset, count),
                    Conditions = new BlobRequestConditions { IfMatch = etag },
                    TransferValidation = new DownloadTransferValidationOptions { ChecksumAlgorithm = StorageChecksumAlgorithm.MD5 },
                }, token)).Value;
                var bytes = result.Content.ToMemory();
                if (bytes.Length != count)
                    throw new IOException($"Expected {count} bytes of '{key}' at offset {offset}, received {bytes.Length}.");
                return bytes;
            }
            catch (RequestFailedException e) when (e.Status == 412)
            {
                throw new StorageException(key, $"'{key}' was replaced while it was being read (ETag {etag} no longer matches).", e);
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                throw new ObjectNotFoundException(key, e);
            }
        }, cancellationToken);
        _position += count;
        return chunk;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
