// What the pages show, as plain records filled by DashboardReader: the pages render them, the /api addresses serialize
// them, and report.html renders the campaign one without a server.
using Pipeline.Contracts;
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Orchestration;
using Pipeline.Stages.Reporting;

namespace Pipeline.Dashboard.Data;

/// <summary>One campaign as the campaign list shows it.</summary>
/// <param name="State">The campaign's state document.</param>
/// <param name="LastEvent">The last event the orchestrator in this process reported for it, or null when it runs elsewhere.</param>
internal sealed record CampaignSummary(CampaignState State, CampaignEvent? LastEvent);

/// <summary>An event the orchestrator reconciled on, with when it was seen.</summary>
/// <param name="Description">The event's one-line description.</param>
/// <param name="At">When the orchestrator in this process recorded it.</param>
internal sealed record CampaignEvent(string Description, DateTimeOffset At);

/// <summary>Everything the campaign page shows.</summary>
/// <param name="State">The state document: progress, failures, figures the events carried.</param>
/// <param name="Report">The evaluations and judge counts, read as <c>pipeline report</c> reads them.</param>
/// <param name="Definition">The campaign file, or null when it cannot be read.</param>
/// <param name="LastEvent">The last event seen by the orchestrator in this process, or null.</param>
internal sealed record CampaignView(CampaignState State, CampaignReport Report, CampaignDefinition? Definition, CampaignEvent? LastEvent)
{
    /// <summary>Changes whenever the state document is written, which every event and evaluation does.</summary>
    public string Version => State.UpdatedAt.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The stages of an iteration in pipeline order: the recipe's shard stages, update, evaluation.</summary>
    public IReadOnlyList<CampaignStage> Stages => Definition is { } definition
        ? [.. definition.Chain.ShardStages, CampaignStage.Update, CampaignStage.Evaluation]
        : Enum.GetValues<CampaignStage>();
}

/// <summary>A stage's stored outputs in one iteration.</summary>
/// <param name="CampaignId">Campaign id.</param>
/// <param name="Iteration">Iteration.</param>
/// <param name="Stage">The stage.</param>
/// <param name="Shards">Per shard: whether its output is stored, and its summary figures.</param>
/// <param name="Rollouts">The rollouts of a generation, scoring or judging stage, else empty.</param>
/// <param name="Pairs">The preference pairs of the pair stage, else empty.</param>
/// <param name="Chunks">The update's per-chunk figures, else empty.</param>
/// <param name="Evaluation">The evaluation's figures per difficulty, else empty.</param>
internal sealed record StageOutputView(string CampaignId, int Iteration, CampaignStage Stage, IReadOnlyList<ShardOutputStatus> Shards,
    IReadOnlyList<RolloutRow> Rollouts, IReadOnlyList<PairRow> Pairs, IReadOnlyList<ChunkRow> Chunks, IReadOnlyList<DifficultyMetrics> Evaluation)
{
    /// <summary>The campaign's stages in pipeline order, for the links between them.</summary>
    public IReadOnlyList<CampaignStage> CampaignStages { get; init; } = [];

    /// <summary>The campaign's iteration count.</summary>
    public int Iterations { get; init; }
}

/// <summary>Whether one shard's output is stored, and its summary.</summary>
/// <param name="Shard">Shard.</param>
/// <param name="Key">Store key of its output.</param>
/// <param name="Stored">Whether the output exists.</param>
/// <param name="Summary">The shard's summary figures (empty when not stored).</param>
internal sealed record ShardOutputStatus(int Shard, string Key, bool Stored, IReadOnlyDictionary<string, double> Summary);

/// <summary>A stored rollout with what the dashboard adds to it.</summary>
/// <param name="Shard">Shard it was stored in.</param>
/// <param name="Rollout">The rollout as stored.</param>
/// <param name="GoldAnswer">The task's answer to the prompt (the task knows it even when the recipe does not use it), or null.</param>
/// <param name="Correct">Whether the extracted answer equals the gold answer; null without a gold answer.</param>
/// <param name="Tokens">Per-token statistics along the response, or null when the stored rollout has none.</param>
internal sealed record RolloutRow(int Shard, Rollout Rollout, string? GoldAnswer, bool? Correct, TokenView? Tokens);

/// <summary>A stored preference pair.</summary>
/// <param name="Shard">Shard it was stored in.</param>
/// <param name="Pair">The pair as stored.</param>
internal sealed record PairRow(int Shard, PreferencePairRecord Pair);

/// <summary>The figures one update chunk reported.</summary>
/// <param name="Chunk">Chunk.</param>
/// <param name="Metrics">Its figures by name (loss, steps ...).</param>
internal sealed record ChunkRow(int Chunk, IReadOnlyDictionary<string, double> Metrics);

/// <summary>A response's tokens with their statistics, for the token strip.</summary>
/// <param name="Tokens">The response's tokens in order.</param>
internal sealed record TokenView(IReadOnlyList<TokenCell> Tokens);

/// <summary>One response token and the statistics of the distribution that produced it; null where not recorded.</summary>
/// <param name="Text">The token as text.</param>
/// <param name="LogProb">Log-probability of the token at the sampling temperature.</param>
/// <param name="Entropy">Entropy of the distribution (nats).</param>
/// <param name="SelfCertainty">Self-certainty KL(U ‖ p) of the distribution.</param>
/// <param name="Top1">Probability of the most likely token.</param>
/// <param name="Top2">Probability of the second most likely token.</param>
internal sealed record TokenCell(string Text, double? LogProb, double? Entropy, double? SelfCertainty, double? Top1, double? Top2);
