// The judging stage on the bus: judges a shard's rollouts through JudgingWork and publishes RolloutsJudged. The work class
// returns an output that already exists, so a redelivered command re-publishes the event without recomputing.
using MassTransit;
using Pipeline.Contracts;
using Pipeline.Stages.Work;

namespace Pipeline.Stages.Consumers;

/// <summary>Consumes <see cref="JudgeRollouts"/> and publishes <see cref="RolloutsJudged"/>.</summary>
internal sealed class JudgeRolloutsConsumer(JudgingWork work, CampaignDefinitionCache definitions) : IConsumer<JudgeRollouts>
{
    /// <inheritdoc />
    public async Task Consume(ConsumeContext<JudgeRollouts> context)
    {
        var m = context.Message;
        var definition = await definitions.GetAsync(m.CampaignId, context.CancellationToken);
        var stored = await work.RunAsync(definition, m, context.CancellationToken);
        await context.Publish(new RolloutsJudged(m.CampaignId, m.Iteration, m.Shard, m.Checkpoint, stored.Key, stored.Count, stored.Inline, stored.Summary),
            context.CancellationToken);
    }
}
