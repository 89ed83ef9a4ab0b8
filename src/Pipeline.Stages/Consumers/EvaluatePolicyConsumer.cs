// Evaluation on the bus (hosted by the generation worker): measures a policy through EvaluationWork and publishes
// PolicyEvaluated. EvaluationWork returns a stored evaluation.json, so a redelivered command re-publishes it.
using MassTransit;
using Pipeline.Contracts;
using Pipeline.Stages.Work;

namespace Pipeline.Stages.Consumers;

/// <summary>Consumes <see cref="EvaluatePolicy"/> and publishes <see cref="PolicyEvaluated"/>.</summary>
internal sealed class EvaluatePolicyConsumer(EvaluationWork work, CampaignDefinitionCache definitions) : IConsumer<EvaluatePolicy>
{
    /// <inheritdoc />
    public async Task Consume(ConsumeContext<EvaluatePolicy> context)
    {
        var m = context.Message;
        var definition = await definitions.GetAsync(m.CampaignId, context.CancellationToken);
        var (report, key, _) = await work.RunAsync(definition, m, context.CancellationToken);
        await context.Publish(new PolicyEvaluated(m.CampaignId, m.Iteration, m.Checkpoint, key, report.Difficulties, report.WallSeconds),
            context.CancellationToken);
    }
}
