// Endpoint of the judging stage: queue "judging", one message at a time per process (the work is CPU-bound and
// uses the machine's cores itself); scale out with more workers on the same queue.
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Hosting;

namespace Pipeline.Stages.Consumers;

/// <summary>Queue, concurrency and retry of <see cref="JudgeRolloutsConsumer"/>.</summary>
internal sealed class JudgeRolloutsConsumerDefinition(StageOptions options)
    : StageConsumerDefinition<JudgeRolloutsConsumer>(CampaignStage.Judging.Name(), concurrency: 1, options);
