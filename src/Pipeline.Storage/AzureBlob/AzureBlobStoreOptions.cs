// Settings of the Azure Blob store: where it writes, how large upload blocks are, and the retry budget for transient failures.
namespace Pipeline.Storage.AzureBlob;

/// <summary>Settings for <see cref="AzureBlobObjectStore"/>.</summary>
public sealed record AzureBlobStoreOptions
{
    /// <summary>Storage account connection string (<c>UseDevelopmentStorage=true</c> for Azurite).</summary>
    public required string ConnectionString { get; init; }

    /// <summary>Container holding every object; created on first use.</summary>
    public string Container { get; init; } = "pipeline";

    /// <summary>Bytes per uploaded block; every object is uploaded as blocks of this size, each retried on its own.
    /// One block is held in memory during upload, so it is limited to 1 byte .. 256 MiB.</summary>
    public int BlockSize { get; init; } = 8 * 1024 * 1024;

    /// <summary>
    /// Bytes per ranged download request; each range is MD5-validated and retried on its own. Azure returns a range MD5
    /// only for ranges up to 4 MiB, which is therefore also the limit.
    /// </summary>
    public int DownloadChunkSize { get; init; } = 4 * 1024 * 1024;

    /// <summary>Attempts per request (the first one included) before a transient failure is surfaced.</summary>
    public int MaxAttempts { get; init; } = 8;

    /// <summary>Delay before the first retry; later retries double it, with jitter, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Upper bound of one retry delay.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Time one request may take before it is abandoned (and retried as transient).</summary>
    public TimeSpan NetworkTimeout { get; init; } = TimeSpan.FromSeconds(100);
}
