// The store layout of a campaign, as the design fixes it.
using Pipeline.Stages.Campaigns;

namespace Pipeline.Stages.Tests.Campaigns;

public sealed class CampaignKeysTests
{
    [Fact]
    public void Keys_Campaign_FollowTheDesignLayout()
    {
        Assert.Equal("campaigns/c1/campaign.json", CampaignKeys.Definition("c1"));
        Assert.Equal("campaigns/c1/state.json", CampaignKeys.State("c1"));
        Assert.Equal("campaigns/c1/iter-2/scoring/shard-3.jsonl", CampaignKeys.ShardOutput("c1", 2, CampaignStage.Scoring, 3));
        Assert.Equal("campaigns/c1/iter-2/scoring/shard-3.summary.json", CampaignKeys.ShardSummary(CampaignKeys.ShardOutput("c1", 2, CampaignStage.Scoring, 3)));
        Assert.Equal("campaigns/c1/iter-2/update/chunk-0/", CampaignKeys.UpdateChunk("c1", 2, 0));
        Assert.Equal("campaigns/c1/iter-0/evaluation.json", CampaignKeys.Evaluation("c1", 0));
        Assert.Equal("checkpoints/c1/iter-0/", CampaignKeys.Policy("c1", 0));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Upper")]
    [InlineData("-lead")]
    [InlineData("a/b")]
    [InlineData("a_b")]
    public void ValidateId_BadId_Throws(string id)
    {
        Assert.False(CampaignKeys.IsValidId(id));
        Assert.Throws<ArgumentException>(() => CampaignKeys.Definition(id));
    }

    [Fact]
    public void ShardOutput_UpdateStage_Throws()
    {
        Assert.Throws<ArgumentException>(() => CampaignKeys.ShardOutput("c1", 1, CampaignStage.Update, 0));
    }

    [Fact]
    public void TryParseShardOutput_ShardKey_GivesItsParts()
    {
        Assert.True(CampaignKeys.TryParseShardOutput(CampaignKeys.ShardOutput("run-7", 12, CampaignStage.Pairs, 4),
            out var id, out int iteration, out var stage, out int shard));

        Assert.Equal(("run-7", 12, CampaignStage.Pairs, 4), (id, iteration, stage, shard));
    }

    [Theory]
    [InlineData("campaigns/c1/iter-1/scoring/shard-0.summary.json")]
    [InlineData("campaigns/c1/iter-1/update/chunk-0/manifest.json")]
    [InlineData("campaigns/c1/state.json")]
    [InlineData("campaigns/c1/iter-1/nonsense/shard-0.jsonl")]
    public void TryParseShardOutput_OtherKey_False(string key)
    {
        Assert.False(CampaignKeys.TryParseShardOutput(key, out _, out _, out _, out _));
    }
}
