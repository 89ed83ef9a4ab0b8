// Endpoint of the policy update: queue "update", strictly one chunk at a time per process. Chunks of an iteration run in
// order anyway (chunk j+1 is sent once chunk j's state exists), and a trainer uses all cores and most of the memory.
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Hosting;

namespace Pipeline.Stages.Consumers;

/// <summary>Queue, concurrency and retry of <see cref="UpdatePolicyConsumer"/>.</summary>
internal sealed class UpdatePolicyConsumerDefinition(StageOptions options)
    : StageConsumerDefinition<UpdatePolicyConsumer>(CampaignStage.Update.Name(), concurrency: 1, options);
