// Endpoint of the pair stage: queue "pairs". Building pairs is cheap bookkeeping on stored scores (no model), so a
// process takes a few shards at once.
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Hosting;

namespace Pipeline.Stages.Consumers;

/// <summary>Queue, concurrency and retry of <see cref="BuildPairsConsumer"/>.</summary>
internal sealed class BuildPairsConsumerDefinition(StageOptions options)
    : StageConsumerDefinition<BuildPairsConsumer>(CampaignStage.Pairs.Name(), concurrency: 4, options);
