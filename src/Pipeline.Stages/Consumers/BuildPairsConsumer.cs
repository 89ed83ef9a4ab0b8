// The pair stage on the bus: turns a shard's scored or judged rollouts into preference pairs through PairWork and
// publishes PairsBuilt. PairWork returns an output that already exists, so a redelivered command only re-publishes.
using MassTransit;
using Pipeline.Contracts;
using Pipeline.Stages.Work;

namespace Pipeline.Stages.Consumers;

/// <summary>Consumes <see cref="BuildPairs"/> and publishes <see cref="PairsBuilt"/>.</summary>
internal sealed class BuildPairsConsumer(PairWork work, CampaignDefinitionCache definitions) : IConsumer<BuildPairs>
{
    /// <inheritdoc />
    public async Task Consume(ConsumeContext<BuildPairs> context)
    {
        var m = context.Message;
        var definition = await definitions.GetAsync(m.CampaignId, context.CancellationToken);
        var stored = await work.RunAsync(definition, m, context.CancellationToken);
        await context.Publish(new PairsBuilt(m.CampaignId, m.Iteration, m.Shard, m.Checkpoint, stored.Key, stored.Count, stored.Inline, stored.Summary),
            context.CancellationToken);
    }
}
