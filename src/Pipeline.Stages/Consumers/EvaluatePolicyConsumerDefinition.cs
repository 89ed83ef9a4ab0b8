// Endpoint of evaluation: queue "evaluation", one policy at a time per process (it samples like generation does).
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Hosting;

namespace Pipeline.Stages.Consumers;

/// <summary>Queue, concurrency and retry of <see cref="EvaluatePolicyConsumer"/>.</summary>
internal sealed class EvaluatePolicyConsumerDefinition(StageOptions options)
    : StageConsumerDefinition<EvaluatePolicyConsumer>(CampaignStage.Evaluation.Name(), concurrency: 1, options);
