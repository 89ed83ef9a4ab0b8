// Every random stream of a campaign's stage work, derived from the campaign seed and a label naming the work, so a
// repeated or resumed piece of work draws exactly what the first attempt drew.
using Pipeline.Engine.Training;
using Pipeline.Stages.Campaigns;

namespace Pipeline.Stages.Work;

/// <summary>Seeds of the stage work of a campaign (SeededRandom.DeriveSeed over descriptive labels).</summary>
public static class StageSeeds
{
    /// <summary>The seed of <paramref name="stage"/>'s work on one shard of one iteration.</summary>
    public static ulong ForShard(CampaignDefinition definition, CampaignStage stage, int iteration, int shard) =>
        Derive(definition, $"{stage.Name()}/iter-{iteration}/shard-{shard}");

    /// <summary>The seed of a labelled stream of the campaign (e.g. <c>update/iter-2/order/epoch-0</c>).</summary>
    public static ulong Derive(CampaignDefinition definition, string label)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return SeededRandom.DeriveSeed((ulong)definition.Seed, label);
    }
}
