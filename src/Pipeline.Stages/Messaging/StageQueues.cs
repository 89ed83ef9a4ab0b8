// The broker queue of every stage, as the campaign design fixes them (ConsumerDefinition.EndpointName), and the name of
// the error queue MassTransit moves a message to once its retries are spent. The operations verbs validate against it.
namespace Pipeline.Stages.Messaging;

/// <summary>Queue (endpoint) names of the pipeline stages.</summary>
public static class StageQueues
{
    /// <summary>Suffix MassTransit appends to an endpoint name for its error queue.</summary>
    public const string ErrorSuffix = "_error";

    /// <summary>Every stage queue, in pipeline order: generation, evaluation, scoring, judging, pairs, update, orchestrator.</summary>
    public static IReadOnlyList<string> All { get; } =
        ["generation", "evaluation", "scoring", "judging", "pairs", "update", "orchestrator"];

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
