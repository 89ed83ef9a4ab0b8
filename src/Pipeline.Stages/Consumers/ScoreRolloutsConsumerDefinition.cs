// Endpoint of the scoring stage: queue "scoring", one message at a time per process (the work is CPU-bound and
// uses the machine's cores itself); scale out with more workers on the same queue.
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Hosting;

namespace Pipeline.Stages.Consumers;

/// <summary>Queue, concurrency and retry of <see cref="ScoreRolloutsConsumer"/>.</summary>
internal sealed class ScoreRolloutsConsumerDefinition(StageOptions options)
    : StageConsumerDefinition<ScoreRolloutsConsumer>(CampaignStage.Scoring.Name(), concurrency: 1, options);
