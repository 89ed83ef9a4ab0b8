// The worker processes a deployment runs: one role per stage queue group, plus the orchestrator. Evaluation has no role of
// its own: the generation role hosts it, since both sample from a policy. Which stages a role hosts comes from the stage
// table (StageDefinition.Host).
using Pipeline.Stages.Campaigns;

namespace Pipeline.Stages.Hosting;

/// <summary>What a worker process hosts (<c>pipeline worker --stage</c>).</summary>
public enum WorkerRole
{
    /// <summary>The <c>generation</c> queue and the <c>evaluation</c> queue.</summary>
    Generation,

    /// <summary>The <c>scoring</c> queue.</summary>
    Scoring,

    /// <summary>The <c>judging</c> queue.</summary>
    Judging,

    /// <summary>The <c>pairs</c> queue.</summary>
    Pairs,

    /// <summary>The <c>update</c> queue.</summary>
    Update,

    /// <summary>The <c>orchestrator</c> queue (AdvanceCampaign, every event, every fault) and the periodic reconcile.</summary>
    Orchestrator,
}

/// <summary>Names and parsing of <see cref="WorkerRole"/>.</summary>
public static class WorkerRoles
{
    /// <summary>Every role, in pipeline order.</summary>
    public static IReadOnlyList<WorkerRole> All { get; } = Enum.GetValues<WorkerRole>();

    /// <summary>The role's name: its first stage's queue name, or <c>orchestrator</c>.</summary>
    public static string Name(this WorkerRole role) => role == WorkerRole.Orchestrator
        ? StageDefinitions.OrchestratorQueue
        : StageDefinitions.All.First(s => s.Host == role).Name;

    /// <summary>The stages whose queues the role consumes.</summary>
    public static IEnumerable<StageDefinition> Stages(this WorkerRole role) => StageDefinitions.All.Where(s => s.Host == role);

    /// <summary>The roles <paramref name="text"/> names: one role name, <c>all</c>, or a comma-separated list.</summary>
    /// <exception cref="ArgumentException">A name is not a role.</exception>
    public static IReadOnlyList<WorkerRole> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new List<WorkerRole>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.Equals("all", StringComparison.OrdinalIgnoreCase))
            {
                result.AddRange(All);
                continue;
            }
            var role = All.Where(s => s.Name().Equals(part, StringComparison.OrdinalIgnoreCase)).Select(s => (WorkerRole?)s).FirstOrDefault()
                ?? throw new ArgumentException($"Unknown stage '{part}': use one of {string.Join(", ", All.Select(s => s.Name()))} or all.");
            result.Add(role);
        }
        if (result.Count == 0)
            throw new ArgumentException($"No stage given: use one of {string.Join(", ", All.Select(s => s.Name()))} or all.");
        return result.Distinct().ToList();
    }
}
