// Wires the configured store into a host: Storage:Kind picks the folder store (default) or Azure Blob.
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Storage.AzureBlob;
using Pipeline.Storage.Checkpoints;
using Pipeline.Storage.Folder;

namespace Pipeline.Storage;

/// <summary>Registration of <see cref="IObjectStore"/> and <see cref="CheckpointStore"/> from configuration.</summary>
public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers singletons of <see cref="IObjectStore"/> and <see cref="CheckpointStore"/> from the keys
    /// <c>Storage:Kind</c> (<c>Folder</c>, the default, or <c>AzureBlob</c>), <c>Storage:Folder:Root</c> (default <c>runs</c>,
    /// relative to the current folder), <c>Storage:AzureBlob:ConnectionString</c> and <c>Storage:AzureBlob:Container</c>
    /// (default <c>pipeline</c>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The kind is unknown, or Azure Blob is chosen without a connection string.</exception>
    public static IServiceCollection AddPipelineStorage(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection("Storage");
        var kind = section["Kind"] ?? "Folder";
        // Settings are checked now, so a bad configuration fails at start-up; the store itself is built on first use.
        Func<IObjectStore> create;
        if (kind.Equals("Folder", StringComparison.OrdinalIgnoreCase))
        {
            var root = Path.GetFullPath(section["Folder:Root"] ?? "runs");
            create = () => new FolderObjectStore(root);
        }
        else if (kind.Equals("AzureBlob", StringComparison.OrdinalIgnoreCase))
        {
            var connectionString = section["AzureBlob:ConnectionString"];
            if (string.IsNullOrWhiteSpace(connectionString))
                throw new InvalidOperationException("Storage:AzureBlob:ConnectionString is required when Storage:Kind is AzureBlob.");
            var options = new AzureBlobStoreOptions
            {
                ConnectionString = connectionString,
                Container = section["AzureBlob:Container"] ?? "pipeline",
            };
            create = () => new AzureBlobObjectStore(options);
        }
        else
        {
            throw new InvalidOperationException($"Storage:Kind '{kind}' is not supported; use Folder or AzureBlob.");
        }
        services.AddSingleton(_ => create());
        services.AddSingleton(provider => new CheckpointStore(provider.GetRequiredService<IObjectStore>()));
        return services;
    }
}
