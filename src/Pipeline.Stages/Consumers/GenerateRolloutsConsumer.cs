// The generation stage on the bus: samples a shard's responses through GenerationWork and publishes RolloutsGenerated. The work class
// returns an output that already exists, so a redelivered command re-publishes the event without recomputing.
using MassTransit;
using Pipeline.Contracts;
using Pipeline.Stages.Work;

namespace Pipeline.Stages.Consumers;

/// <summary>Consumes <see cref="GenerateRollouts"/> and publishes <see cref="RolloutsGenerated"/>.</summary>
internal sealed class GenerateRolloutsConsumer(GenerationWork work, CampaignDefinitionCache definitions) : IConsumer<GenerateRollouts>
{
    /// <inheritdoc />
    public async Task Consume(ConsumeContext<GenerateRollouts> context)
    {
        var m = context.Message;
        var definition = await definitions.GetAsync(m.CampaignId, context.CancellationToken);
        var stored = await work.RunAsync(definition, m, context.CancellationToken);
        await context.Publish(new RolloutsGenerated(m.CampaignId, m.Iteration, m.Shard, m.Checkpoint, stored.Key, stored.Count, stored.Inline, stored.Summary),
            context.CancellationToken);
    }
}
