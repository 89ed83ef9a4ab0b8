// The orchestrator's durable record of a campaign (campaigns/{id}/state.json). Progress in it is derived from the
// store's keys at each reconcile, so the document can be lost or stale without losing work; what only it knows is
// which commands were already sent, the failures reported by Fault messages, and the figures events carried.
using Pipeline.Contracts;
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Work;

namespace Pipeline.Stages.Orchestration;

/// <summary>The state document of one campaign.</summary>
public sealed class CampaignState
{
    /// <summary>Campaign id.</summary>
    public string CampaignId { get; set; } = "";

    /// <summary>Lifecycle status.</summary>
    public CampaignStatus Status { get; set; } = CampaignStatus.Running;

    /// <summary>The recipe's kebab-case name, for listings.</summary>
    public string Recipe { get; set; } = "";

    /// <summary>Iterations the campaign runs (iteration 0 only evaluates the base model).</summary>
    public int Iterations { get; set; }

    /// <summary>The lowest iteration (from 1) whose policy does not exist yet; <see cref="Iterations"/> + 1 once all do.</summary>
    public int CurrentIteration { get; set; } = 1;

    /// <summary>When the campaign was started.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When this document was last written.</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>When the campaign completed, or null.</summary>
    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>Per iteration, from 0 (the base model's evaluation) to <see cref="Iterations"/>.</summary>
    public List<IterationState> IterationStates { get; set; } = [];

    /// <summary>The record of <paramref name="iteration"/>, created when missing.</summary>
    public IterationState Iteration(int iteration)
    {
        var existing = IterationStates.FirstOrDefault(i => i.Iteration == iteration);
        if (existing is not null)
            return existing;
        var created = new IterationState { Iteration = iteration };
        IterationStates.Add(created);
        IterationStates.Sort((a, b) => a.Iteration.CompareTo(b.Iteration));
        return created;
    }

    /// <summary>Every failure currently recorded, as (iteration, stage, failure).</summary>
    public IEnumerable<(int Iteration, string Stage, StageFailure Failure)> Failures() =>
        from iteration in IterationStates
        from stage in iteration.Stages
        from failure in stage.Value.Failures
        select (iteration.Iteration, stage.Key, failure);
}

/// <summary>One iteration's progress and figures.</summary>
public sealed class IterationState
{
    /// <summary>Iteration number (0: the base model, evaluated only).</summary>
    public int Iteration { get; set; }

    /// <summary>The policy the iteration starts from (the previous iteration's result), once it exists.</summary>
    public CheckpointReference? StartPolicy { get; set; }

    /// <summary>The policy the iteration produced (for iteration 0: the base model), once it exists.</summary>
    public CheckpointReference? Policy { get; set; }

    /// <summary>Progress by stage name (<c>generation</c>, <c>scoring</c> ..., <c>update</c>, <c>evaluation</c>).</summary>
    public Dictionary<string, StageProgress> Stages { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Figures of the update's chunks by chunk, as <see cref="PolicyChunkTrained"/> reported them.</summary>
    public Dictionary<int, Dictionary<string, double>> ChunkMetrics { get; set; } = [];

    /// <summary>Figures of the finished update, as <see cref="PolicyUpdated"/> reported them.</summary>
    public Dictionary<string, double>? UpdateMetrics { get; set; }

    /// <summary>Shard summaries of the per-shard stages by stage name then shard (mean scores, pairs dropped ...).</summary>
    public Dictionary<string, Dictionary<int, Dictionary<string, double>>> ShardSummaries { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Held-out figures of <see cref="Policy"/>, once evaluated.</summary>
    public List<DifficultyMetrics>? Evaluation { get; set; }

    /// <summary>Seconds the evaluation of this iteration's policy took.</summary>
    public double EvaluationSeconds { get; set; }

    /// <summary>
    /// Seconds of compute per stage in this iteration: each per-shard stage's summed over its shards, the update's over its
    /// chunks, and the evaluation's; stages that recorded nothing are absent.
    /// </summary>
    public Dictionary<string, double> StageSeconds()
    {
        var seconds = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (stage, shards) in ShardSummaries)
        {
            var recorded = shards.Values.Where(s => s.ContainsKey(StageTiming.WallSeconds)).ToList();
            if (recorded.Count > 0) seconds[stage] = recorded.Sum(s => s[StageTiming.WallSeconds]);
        }
        var chunks = ChunkMetrics.Values.Where(m => m.ContainsKey(StageTiming.WallSeconds)).ToList();
        if (chunks.Count > 0) seconds[CampaignStage.Update.Name()] = chunks.Sum(m => m[StageTiming.WallSeconds]);
        if (EvaluationSeconds > 0) seconds[CampaignStage.Evaluation.Name()] = EvaluationSeconds;
        return seconds;
    }

    /// <summary>The progress of <paramref name="stage"/>, created when missing.</summary>
    public StageProgress Stage(string stage)
    {
        if (!Stages.TryGetValue(stage, out var progress))
            Stages[stage] = progress = new StageProgress();
        return progress;
    }
}

/// <summary>One stage's progress within an iteration; a "shard" of the update is its chunk.</summary>
public sealed class StageProgress
{
    /// <summary>Units of work the stage has in the iteration (shards, chunks, or 1 for evaluation).</summary>
    public int Total { get; set; }

    /// <summary>Units whose output exists in the store.</summary>
    public int Done { get; set; }

    /// <summary>Units whose command was sent and whose output did not exist at the time.</summary>
    public SortedSet<int> Dispatched { get; set; } = [];

    /// <summary>Units whose command ended in a fault (its retries exhausted), with the reason; cleared by a later success.</summary>
    public List<StageFailure> Failures { get; set; } = [];
}

/// <summary>A unit of stage work whose message was moved to the error queue.</summary>
/// <param name="Shard">Shard (or chunk) that failed.</param>
/// <param name="Message">The exception message of the last attempt.</param>
/// <param name="At">When the fault was recorded.</param>
public sealed record StageFailure(int Shard, string Message, DateTimeOffset At);
