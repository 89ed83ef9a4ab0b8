// The worker processes a deployment runs: one per stage queue group. Evaluation is not its own process: the generation
// worker hosts it, since both sample from a policy. The names come from the queue names (CampaignStage, StageQueues).
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Messaging;

namespace Pipeline.Stages.Hosting;

/// <summary>A stage a worker process can host (<c>pipeline worker --stage</c>).</summary>
public enum StageName
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

/// <summary>Names and parsing of <see cref="StageName"/>.</summary>
public static class StageNames
{
    /// <summary>Every stage, in pipeline order.</summary>
    public static IReadOnlyList<StageName> All { get; } = Enum.GetValues<StageName>();

    /// <summary>The name, which is the name of the stage's queue (<c>generation</c> ... <c>orchestrator</c>).</summary>
    public static string Name(this StageName stage) => stage switch
    {
        StageName.Generation => CampaignStage.Generation.Name(),
        StageName.Scoring => CampaignStage.Scoring.Name(),
        StageName.Judging => CampaignStage.Judging.Name(),
        StageName.Pairs => CampaignStage.Pairs.Name(),
        StageName.Update => CampaignStage.Update.Name(),
        StageName.Orchestrator => StageQueues.Orchestrator,
        _ => throw new ArgumentOutOfRangeException(nameof(stage), stage, "Unknown stage."),
    };

    /// <summary>
    /// The stages <paramref name="text"/> names: one stage name, <c>all</c>, or a comma-separated list.
    /// </summary>
    /// <exception cref="ArgumentException">A name is not a stage.</exception>
    public static IReadOnlyList<StageName> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new List<StageName>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.Equals("all", StringComparison.OrdinalIgnoreCase))
            {
                result.AddRange(All);
                continue;
            }
            var stage = All.Where(s => s.Name().Equals(part, StringComparison.OrdinalIgnoreCase)).Select(s => (StageName?)s).FirstOrDefault()
                ?? throw new ArgumentException($"Unknown stage '{part}': use one of {string.Join(", ", All.Select(s => s.Name()))} or all.");
            result.Add(stage);
        }
        if (result.Count == 0)
            throw new ArgumentException($"No stage given: use one of {string.Join(", ", All.Select(s => s.Name()))} or all.");
        return result.Distinct().ToList();
    }
}
