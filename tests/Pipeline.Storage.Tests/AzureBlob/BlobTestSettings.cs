// Where the Azure Blob tests find Azurite and the store settings they share (small blocks, a short retry budget).
using Pipeline.Storage.AzureBlob;

namespace Pipeline.Storage.Tests.AzureBlob;

internal static class BlobTestSettings
{
    /// <summary>The shared Azurite the CI starts (127.0.0.1:10000 unless PIPELINE_BLOB_CONNECTION says otherwise).</summary>
    public static string ConnectionString =>
        Environment.GetEnvironmentVariable("PIPELINE_BLOB_CONNECTION") is { Length: > 0 } configured ? configured : "UseDevelopmentStorage=true";

    /// <summary>Azurite's well-known development account key.</summary>
    public const string DevelopmentAccountKey =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public static string ConnectionStringForPort(int port, string accountKey = DevelopmentAccountKey) =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={accountKey};BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";

    public static string UniqueContainer() => "test-" + Guid.NewGuid().ToString("N");

    public static AzureBlobStoreOptions Options(string connectionString, string container, int blockSize) => new()
    {
        ConnectionString = connectionString,
        Container = container,
        BlockSize = blockSize,
        DownloadChunkSize = blockSize,
        // Short, so that a missing Azurite fails the suite in seconds rather than after the production budget.
        MaxAttempts = 3,
        FirstRetryDelay = TimeSpan.FromMilliseconds(50),
        MaxRetryDelay = TimeSpan.FromMilliseconds(200),
        NetworkTimeout = TimeSpan.FromSeconds(20),
    };
}
