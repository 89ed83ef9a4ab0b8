// The stages of a campaign iteration; their names (queue names and key segments of their outputs) come from the stage table.
namespace Pipeline.Stages.Campaigns;

/// <summary>A stage of a campaign iteration.</summary>
public enum CampaignStage
{
    /// <summary>Sampling responses (queue and key segment <c>generation</c>).</summary>
    Generation,

    /// <summary>Attaching confidence signals (<c>scoring</c>).</summary>
    Scoring,

    /// <summary>Attaching judge or verifier scores (<c>judging</c>).</summary>
    Judging,

    /// <summary>Building preference pairs (<c>pairs</c>).</summary>
    Pairs,

    /// <summary>The policy update, in chunks (<c>update</c>).</summary>
    Update,

    /// <summary>Held-out evaluation of a policy (<c>evaluation</c>).</summary>
    Evaluation,
}

/// <summary>Names of <see cref="CampaignStage"/> values.</summary>
public static class CampaignStages
{
    /// <summary>The stage's name from the stage table: queue name, key segment and CLI spelling (<c>generation</c>, <c>scoring</c> ...).</summary>
    public static string Name(this CampaignStage stage) => StageDefinitions.Of(stage).Name;

    /// <summary>The stage called <paramref name="name"/> (case-insensitive), or null when there is none.</summary>
    public static CampaignStage? TryParse(string name) =>
        Enum.GetValues<CampaignStage>().Cast<CampaignStage?>().FirstOrDefault(s => string.Equals(s!.Value.Name(), name, StringComparison.OrdinalIgnoreCase));
}
