// Endpoint of the orchestrator: queue "orchestrator", one message at a time per process. Every message of a campaign
// rewrites the same state document, so parallel handling would mostly lose ETag races; several orchestrator processes
// stay correct because each write is ETag-guarded.
using Pipeline.Stages.Hosting;
using Pipeline.Stages.Messaging;
using Pipeline.Stages.Orchestration;

namespace Pipeline.Stages.Consumers;

/// <summary>Queue, concurrency and retry of <see cref="OrchestratorConsumer"/>.</summary>
internal sealed class OrchestratorConsumerDefinition(StageOptions options)
    : StageConsumerDefinition<OrchestratorConsumer>(StageQueues.Orchestrator, concurrency: 1, options);
