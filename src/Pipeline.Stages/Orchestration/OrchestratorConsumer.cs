// The orchestrator's bus face: every message it hears (a nudge, a stage event, a fault) becomes one reconcile of that
// campaign, after recording what the message reported. Events are hints, not truth: the reconcile still derives progress
// from the store, so a lost or duplicated event changes nothing but timing.
using System.Globalization;
using MassTransit;
using Pipeline.Contracts;
using Pipeline.Stages.Campaigns;

namespace Pipeline.Stages.Orchestration;

/// <summary>Consumes <see cref="AdvanceCampaign"/>, every stage event, and the faults of every stage command.</summary>
internal sealed class OrchestratorConsumer(CampaignReconciler reconciler, TimeProvider? clock = null) :
    IConsumer<AdvanceCampaign>,
    IConsumer<RolloutsGenerated>, IConsumer<RolloutsScored>, IConsumer<RolloutsJudged>, IConsumer<PairsBuilt>,
    IConsumer<PolicyChunkTrained>, IConsumer<PolicyUpdated>, IConsumer<PolicyEvaluated>,
    IConsumer<Fault<GenerateRollouts>>, IConsumer<Fault<ScoreRollouts>>, IConsumer<Fault<JudgeRollouts>>,
    IConsumer<Fault<BuildPairs>>, IConsumer<Fault<UpdatePolicy>>, IConsumer<Fault<EvaluatePolicy>>
{
    readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <inheritdoc />
    public Task Consume(ConsumeContext<AdvanceCampaign> context) =>
        Reconcile(context, context.Message.CampaignId, new ReconcileRequest(context.Message.Redispatch,
            Cause: context.Message.Redispatch ? "resume" : null));

    /// <inheritdoc />
    public Task Consume(ConsumeContext<RolloutsGenerated> context) =>
        Succeeded(context, CampaignStage.Generation, $"{context.Message.Count} rollouts", context.Message.Summary, context.Message);

    /// <inheritdoc />
    public Task Consume(ConsumeContext<RolloutsScored> context) =>
        Succeeded(context, CampaignStage.Scoring, $"{context.Message.Count} rollouts scored", context.Message.Summary, context.Message);

    /// <inheritdoc />
    public Task Consume(ConsumeContext<RolloutsJudged> context) =>
        Succeeded(context, CampaignStage.Judging, $"{context.Message.Count} rollouts judged", context.Message.Summary, context.Message);

    /// <inheritdoc />
    public Task Consume(ConsumeContext<PairsBuilt> context) =>
        Succeeded(context, CampaignStage.Pairs, $"{context.Message.Count} pairs", context.Message.Summary, null);

    /// <inheritdoc />
    public Task Consume(ConsumeContext<PolicyChunkTrained> context)
    {
        var m = context.Message;
        return Reconcile(context, m.CampaignId, new ReconcileRequest(
            Record: state =>
            {
                var iteration = state.Iteration(m.Iteration);
                iteration.ChunkMetrics[m.Chunk] = new Dictionary<string, double>(m.Metrics);
                ClearFailure(iteration, CampaignStage.Update, m.Chunk);
            },
            Cause: $"iteration {m.Iteration}: update chunk {m.Chunk + 1}/{m.ChunkCount} trained{Figures(m.Metrics, "loss")}"));
    }

    /// <inheritdoc />
    public Task Consume(ConsumeContext<PolicyUpdated> context)
    {
        var m = context.Message;
        return Reconcile(context, m.CampaignId, new ReconcileRequest(
            Record: state =>
            {
                var iteration = state.Iteration(m.Iteration);
                iteration.UpdateMetrics = new Dictionary<string, double>(m.Metrics);
                ClearFailure(iteration, CampaignStage.Update, m.Chunk);
            },
            Cause: $"iteration {m.Iteration}: policy updated -> {m.Policy.Prefix}"));
    }

    /// <inheritdoc />
    public Task Consume(ConsumeContext<PolicyEvaluated> context)
    {
        var m = context.Message;
        var accuracy = string.Join(" ", m.Difficulties.Select(d =>
            string.Create(CultureInfo.InvariantCulture, $"{d.Difficulty}={d.GreedyAccuracy:0.000}")));
        return Reconcile(context, m.CampaignId, new ReconcileRequest(
            Record: state =>
            {
                var iteration = state.Iteration(m.Iteration);
                iteration.Evaluation = m.Difficulties.ToList();
                iteration.EvaluationSeconds = m.WallSeconds;
                ClearFailure(iteration, CampaignStage.Evaluation, 0);
            },
            Cause: $"iteration {m.Iteration}: evaluated, greedy accuracy {accuracy}"));
    }

    /// <inheritdoc />
    public Task Consume(ConsumeContext<Fault<GenerateRollouts>> context) =>
        Failed(context, CampaignStage.Generation, context.Message.Message, context.Message.Message.Shard);

    /// <inheritdoc />
    public Task Consume(ConsumeContext<Fault<ScoreRollouts>> context) =>
        Failed(context, CampaignStage.Scoring, context.Message.Message, context.Message.Message.Shard);

    /// <inheritdoc />
    public Task Consume(ConsumeContext<Fault<JudgeRollouts>> context) =>
        Failed(context, CampaignStage.Judging, context.Message.Message, context.Message.Message.Shard);

    /// <inheritdoc />
    public Task Consume(ConsumeContext<Fault<BuildPairs>> context) =>
        Failed(context, CampaignStage.Pairs, context.Message.Message, context.Message.Message.Shard);

    /// <inheritdoc />
    public Task Consume(ConsumeContext<Fault<UpdatePolicy>> context) =>
        Failed(context, CampaignStage.Update, context.Message.Message, context.Message.Message.Chunk);

    /// <inheritdoc />
    public Task Consume(ConsumeContext<Fault<EvaluatePolicy>> context) => Failed(context, CampaignStage.Evaluation, context.Message.Message, unit: 0);

    /// <summary>The one-line reason of a fault: the first exception's type (without namespace) and message.</summary>
    public static string Reason(Fault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        var exception = fault.Exceptions.FirstOrDefault();
        if (exception is null)
            return "failed (no exception recorded)";
        var type = exception.ExceptionType?.Split('.').Last() ?? "Exception";
        return $"{type}: {exception.Message}".ReplaceLineEndings(" ");
    }

    Task Succeeded<T>(ConsumeContext<T> context, CampaignStage stage, string what, IReadOnlyDictionary<string, double>? summary,
        IRolloutPayload? payload) where T : class, IShardMessage
    {
        var m = context.Message;
        return Reconcile(context, m.CampaignId, new ReconcileRequest(
            Payload: payload,
            Record: state =>
            {
                var iteration = state.Iteration(m.Iteration);
                if (summary is not null)
                {
                    if (!iteration.ShardSummaries.TryGetValue(stage.Name(), out var byShard))
                        iteration.ShardSummaries[stage.Name()] = byShard = [];
                    byShard[m.Shard] = new Dictionary<string, double>(summary);
                }
                ClearFailure(iteration, stage, m.Shard);
            },
            Cause: $"iteration {m.Iteration}: {stage.Name()} shard {m.Shard} done ({what})"));
    }

    /// <summary>Records the failure of one unit (shard, chunk, or 0 for an evaluation) of <paramref name="stage"/>.</summary>
    Task Failed<T>(ConsumeContext<Fault<T>> context, CampaignStage stage, T command, int unit) where T : class, IStageMessage
    {
        var reason = Reason(context.Message);
        var at = _clock.GetUtcNow();
        return Reconcile(context, command.CampaignId, new ReconcileRequest(
            Record: state =>
            {
                var progress = state.Iteration(command.Iteration).Stage(stage.Name());
                progress.Failures.RemoveAll(f => f.Shard == unit);
                progress.Failures.Add(new StageFailure(unit, reason, at));
            },
            Cause: $"iteration {command.Iteration}: {stage.Name()} {(stage == CampaignStage.Update ? "chunk" : "shard")} {unit} FAILED: {reason}"));
    }

    static void ClearFailure(IterationState iteration, CampaignStage stage, int shard)
    {
        if (iteration.Stages.TryGetValue(stage.Name(), out var progress))
            progress.Failures.RemoveAll(f => f.Shard == shard);
    }

    static string Figures(IReadOnlyDictionary<string, double> metrics, string name) =>
        metrics.TryGetValue(name, out var value) ? string.Create(CultureInfo.InvariantCulture, $", {name} {value:0.0000}") : "";

    Task Reconcile(ConsumeContext context, string campaignId, ReconcileRequest request) =>
        reconciler.ReconcileAsync(campaignId, new BusCommandSender(context), request, context.CancellationToken);
}
