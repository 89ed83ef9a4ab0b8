// Every stage records how long its unit of work took, under one figure name, so a campaign's cost can be summed per stage.
namespace Pipeline.Stages.Work;

/// <summary>The wall-time figure of stage summaries and update chunks.</summary>
public static class StageTiming
{
    /// <summary>Seconds one shard (or update chunk) took to compute, in its summary or chunk figures.</summary>
    public const string WallSeconds = "wall_seconds";
}
