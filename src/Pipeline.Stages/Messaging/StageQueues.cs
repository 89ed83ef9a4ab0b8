// The broker queues of a deployment (from the stage table), and the name of the error queue MassTransit moves a message to
// once its retries are spent. The operations verbs validate against it.

namespace Pipeline.Stages.Messaging;

/// <summary>Queue (endpoint) names of the pipeline stages.</summary>
public static class StageQueues
{
    /// <summary>Suffix MassTransit appends to an endpoint name for its error queue.</summary>
    public const string ErrorSuffix = "_error";

    /// <summary>Every stage queue, in pipeline order, then the orchestrator's.</summary>
    public static IReadOnlyList<string> All => StageDefinitions.Queues;

    /// <summary>The orchestrator's queue (AdvanceCampaign, every event, and faults).</summary>
    public const string Orchestrator = StageDefinitions.OrchestratorQueue;

    /// <summary>The error queue of <paramref name="stage"/>.</summary>
    public static string ErrorQueue(string stage) => stage + ErrorSuffix;

    /// <summary>Returns the stage's queue name (trimmed, lower-case) or throws naming the valid stages.</summary>
    /// <exception cref="ArgumentException">The name is not one of <see cref="All"/>.</exception>
    public static string Resolve(string? stage)
    {
        var name = stage?.Trim().ToLowerInvariant() ?? "";
        return All.Contains(name)
            ? name
            : throw new ArgumentException($"Unknown stage '{stage}'; the stages are: {string.Join(", ", All)}.");
    }
}
