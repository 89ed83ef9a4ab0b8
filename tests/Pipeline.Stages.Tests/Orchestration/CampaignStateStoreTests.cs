// Listing campaigns by their state documents: only campaigns/{id}/state.json with a valid id counts, whatever else the
// campaigns folder holds (stage outputs, a state.json deeper down, a folder that is not an id), and the stage outputs
// are never listed to find out.
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Orchestration;
using Pipeline.Storage;
using Pipeline.Storage.Folder;
using Pipeline.Storage.Tests;

namespace Pipeline.Stages.Tests.Orchestration;

public sealed class CampaignStateStoreTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), "pipeline-state-store-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task ListIdsAsync_MixedKeys_ListsOnlyStateDocumentsOfValidIds()
    {
        var store = new FolderObjectStore(_root);
        var states = new CampaignStateStore(store);
        await states.CreateAsync(new CampaignState { CampaignId = "b-campaign" });
        await states.CreateAsync(new CampaignState { CampaignId = "a-campaign" });
        await Put(store, CampaignKeys.ShardOutput("c-outputs-only", 1, CampaignStage.Generation, 0));
        await Put(store, "campaigns/a-campaign/iter-1/state.json");
        await Put(store, "campaigns/Not_An_Id/state.json");

        var ids = await states.ListIdsAsync();

        Assert.Equal(["a-campaign", "b-campaign"], ids);
    }

    [Fact]
    public async Task ListIdsAsync_CampaignsWithStageOutputs_ListsNoKeyInsideTheCampaigns()
    {
        var store = new ObservedObjectStore(new FolderObjectStore(_root));
        var states = new CampaignStateStore(store);
        await states.CreateAsync(new CampaignState { CampaignId = "with-outputs" });
        for (var shard = 0; shard < 3; shard++)
            await Put(store, CampaignKeys.ShardOutput("with-outputs", 1, CampaignStage.Generation, shard));

        var ids = await states.ListIdsAsync();

        Assert.Equal(["with-outputs"], ids);
        Assert.Empty(store.ListedPrefixes);
    }

    static Task Put(IObjectStore store, string key) => store.PutAsync(key, new MemoryStream([(byte)'{', (byte)'}']));

    public void Dispose()
    {
        if (Directory.Exists(_root))
            Directory.Delete(_root, recursive: true);
    }
}
