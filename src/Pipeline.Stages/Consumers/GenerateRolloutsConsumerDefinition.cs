// Endpoint of the generation stage: queue "generation", one message at a time per process (the work is CPU-bound and
// uses the machine's cores itself); scale out with more workers on the same queue.
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Hosting;

namespace Pipeline.Stages.Consumers;

/// <summary>Queue, concurrency and retry of <see cref="GenerateRolloutsConsumer"/>.</summary>
internal sealed class GenerateRolloutsConsumerDefinition(StageOptions options)
    : StageConsumerDefinition<GenerateRolloutsConsumer>(CampaignStage.Generation.Name(), concurrency: 1, options);
