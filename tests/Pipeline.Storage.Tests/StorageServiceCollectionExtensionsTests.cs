// Configuration keys select and shape the store; bad settings fail at registration with a message naming the key.
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Storage.AzureBlob;
using Pipeline.Storage.Checkpoints;
using Pipeline.Storage.Folder;

namespace Pipeline.Storage.Tests;

public sealed class StorageServiceCollectionExtensionsTests
{
    [Fact]
    public void AddPipelineStorage_NoSettings_UsesFolderStoreUnderRuns()
    {
        var runsExisted = Directory.Exists("runs");
        try
        {
            using var services = Build([]);

            var store = Assert.IsType<FolderObjectStore>(services.GetRequiredService<IObjectStore>());
            Assert.Equal(Path.GetFullPath("runs"), store.Root);
            Assert.NotNull(services.GetRequiredService<CheckpointStore>());
        }
        finally
        {
            if (!runsExisted && Directory.Exists("runs")) Directory.Delete("runs", recursive: true);
        }
    }

    [Fact]
    public void AddPipelineStorage_FolderWithRoot_UsesThatRoot()
    {
        var root = Path.Combine(Path.GetTempPath(), "pipeline-di-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var services = Build(new() { ["Storage:Kind"] = "Folder", ["Storage:Folder:Root"] = root });

            Assert.Equal(root, Assert.IsType<FolderObjectStore>(services.GetRequiredService<IObjectStore>()).Root);
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void AddPipelineStorage_AzureBlob_UsesConnectionStringAndContainer()
    {
        using var services = Build(new()
        {
            ["Storage:Kind"] = "AzureBlob",
            ["Storage:AzureBlob:ConnectionString"] = "UseDevelopmentStorage=true",
            ["Storage:AzureBlob:Container"] = "campaigns",
        });

        var store = Assert.IsType<AzureBlobObjectStore>(services.GetRequiredService<IObjectStore>());
        Assert.Equal("campaigns", store.Options.Container);
        Assert.Equal("UseDevelopmentStorage=true", store.Options.ConnectionString);
        Assert.Same(services.GetRequiredService<IObjectStore>(), store);
    }

    [Fact]
    public void AddPipelineStorage_AzureBlobWithoutContainer_DefaultsToPipeline()
    {
        using var services = Build(new() { ["Storage:Kind"] = "azureblob", ["Storage:AzureBlob:ConnectionString"] = "UseDevelopmentStorage=true" });

        Assert.Equal("pipeline", Assert.IsType<AzureBlobObjectStore>(services.GetRequiredService<IObjectStore>()).Options.Container);
    }

    [Fact]
    public void AddPipelineStorage_AzureBlobWithoutConnectionString_FailsNamingTheKey()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Build(new() { ["Storage:Kind"] = "AzureBlob" }));

        Assert.Contains("Storage:AzureBlob:ConnectionString", error.Message);
    }

    [Fact]
    public void AddPipelineStorage_UnknownKind_FailsNamingTheChoices()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Build(new() { ["Storage:Kind"] = "Tape" }));

        Assert.Contains("'Tape'", error.Message);
        Assert.Contains("Folder or AzureBlob", error.Message);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddPipelineStorage(configuration).BuildServiceProvider();
    }
}
