// The scoring stage on the bus: scores a shard's rollouts through ScoringWork and publishes RolloutsScored. The work class
// returns an output that already exists, so a redelivered command re-publishes the event without recomputing.
using MassTransit;
using Pipeline.Contracts;
using Pipeline.Stages.Work;

namespace Pipeline.Stages.Consumers;

/// <summary>Consumes <see cref="ScoreRollouts"/> and publishes <see cref="RolloutsScored"/>.</summary>
internal sealed class ScoreRolloutsConsumer(ScoringWork work, CampaignDefinitionCache definitions) : IConsumer<ScoreRollouts>
{
    /// <inheritdoc />
    public async Task Consume(ConsumeContext<ScoreRollouts> context)
    {
        var m = context.Message;
        var definition = await definitions.GetAsync(m.CampaignId, context.CancellationToken);
        var stored = await work.RunAsync(definition, m, context.CancellationToken);
        await context.Publish(new RolloutsScored(m.CampaignId, m.Iteration, m.Shard, m.Checkpoint, stored.Key, stored.Count, stored.Inline, stored.Summary),
            context.CancellationToken);
    }
}
