// The policy-update stage on the bus: trains one chunk through UpdateWork and publishes PolicyChunkTrained, plus
// PolicyUpdated after the last chunk. UpdateWork returns a chunk whose trainer state exists already, so a redelivered
// command re-publishes without training again.
using MassTransit;
using Pipeline.Contracts;
using Pipeline.Stages.Work;

namespace Pipeline.Stages.Consumers;

/// <summary>Consumes <see cref="UpdatePolicy"/>; publishes <see cref="PolicyChunkTrained"/> and, on the last chunk, <see cref="PolicyUpdated"/>.</summary>
internal sealed class UpdatePolicyConsumer(UpdateWork work, CampaignDefinitionCache definitions) : IConsumer<UpdatePolicy>
{
    /// <inheritdoc />
    public async Task Consume(ConsumeContext<UpdatePolicy> context)
    {
        var m = context.Message;
        var definition = await definitions.GetAsync(m.CampaignId, context.CancellationToken);
        var result = await work.RunChunkAsync(definition, m, context.CancellationToken);
        await context.Publish(new PolicyChunkTrained(m.CampaignId, m.Iteration, m.Chunk, m.Checkpoint, result.ChunkCount, result.TrainerState,
            result.Metrics), context.CancellationToken);
        if (result.IsLast)
        {
            var policy = result.Policy ?? throw new InvalidOperationException(
                $"The last update chunk of iteration {m.Iteration} of campaign '{m.CampaignId}' returned no policy.");
            await context.Publish(new PolicyUpdated(m.CampaignId, m.Iteration, m.Chunk, m.Checkpoint, policy, result.Metrics),
                context.CancellationToken);
        }
    }
}
