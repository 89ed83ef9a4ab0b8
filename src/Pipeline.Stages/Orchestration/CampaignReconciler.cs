// The orchestrator's one operation: load a campaign's file and state, list what its stages stored, let the planner decide,
// write the state (ETag-guarded, recomputed when another orchestrator wrote first), then send the commands that became
// due. The state is written before the commands are sent, so two orchestrators never both send the same unit; if sending
// fails the marks are taken back, so the next reconcile sends again.
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Contracts;
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Consumers;
using Pipeline.Stages.Work;
using Pipeline.Storage;
using Pipeline.Storage.Checkpoints;

namespace Pipeline.Stages.Orchestration;

/// <summary>Derives a campaign's progress from the store and dispatches its due work.</summary>
internal sealed class CampaignReconciler
{
    readonly IObjectStore _store;
    readonly CheckpointStore _checkpoints;
    readonly CampaignStateStore _states;
    readonly ShardStore _shards;
    readonly IReadOnlyList<ICampaignObserver> _observers;
    readonly ILogger _logger;
    readonly TimeProvider _clock;
    readonly CampaignDefinitionCache _definitions;

    /// <summary>Creates the reconciler.</summary>
    public CampaignReconciler(IObjectStore store, CheckpointStore checkpoints, CampaignStateStore states, ShardStore shards,
        CampaignDefinitionCache definitions, IEnumerable<ICampaignObserver>? observers = null, ILogger<CampaignReconciler>? logger = null,
        TimeProvider? clock = null)
    {
        _store = store;
        _definitions = definitions;
        _checkpoints = checkpoints;
        _states = states;
        _shards = shards;
        _observers = observers?.ToList() ?? [];
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>
    /// Reconciles <paramref name="campaignId"/>: records what <paramref name="request"/> carries, brings the state up to
    /// date with the store, and sends the due commands through <paramref name="sender"/>. Returns the state as written,
    /// or null when the campaign has no state (unknown id).
    /// </summary>
    public async Task<CampaignState?> ReconcileAsync(string campaignId, ICampaignCommandSender sender, ReconcileRequest? request = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sender);
        request ??= new ReconcileRequest();
        if (!CampaignKeys.IsValidId(campaignId) || await _states.ReadAsync(campaignId, cancellationToken) is null)
        {
            _logger.LogWarning("Campaign {CampaignId} has no state; nothing to reconcile ({Cause}).", campaignId, request.Cause ?? "nudge");
            return null;
        }
        var definition = await _definitions.GetAsync(campaignId, cancellationToken);

        IReadOnlyList<DispatchIntent> intents = [];
        var changed = false;
        var state = await _states.UpdateAsync(campaignId, async (current, token) =>
        {
            var before = CampaignStateStore.Serialize(current);
            request.Record?.Invoke(current);
            var snapshot = await SnapshotAsync(campaignId, token);
            await FillEvaluationsAsync(current, snapshot, token);
            intents = CampaignPlanner.Plan(definition, current, snapshot, request.Redispatch, _clock.GetUtcNow());
            changed = !before.AsSpan().SequenceEqual(CampaignStateStore.Serialize(current));
            return changed;
        }, cancellationToken);

        var sent = 0;
        try
        {
            foreach (var intent in intents)
            {
                await SendAsync(definition, state, intent, sender, request.Payload, cancellationToken);
                sent++;
            }
        }
        catch (Exception e)
        {
            var unsent = intents.Skip(sent).ToList();
            _logger.LogWarning(e, "Sending {Count} command(s) of campaign {CampaignId} failed; taking their dispatch marks back.", unsent.Count, campaignId);
            await _states.UpdateAsync(campaignId, current =>
            {
                foreach (var intent in unsent)
                    current.Iteration(intent.Iteration).Stage(intent.Stage.Name()).Dispatched.Remove(intent.Shard);
                return true;
            }, CancellationToken.None);
            throw;
        }

        foreach (var intent in intents)
            _logger.LogInformation("Campaign {CampaignId}: sent {Stage} iteration {Iteration} shard {Shard}.", campaignId, intent.Stage.Name(), intent.Iteration, intent.Shard);
        // An event whose news the state already had (a duplicate, or an output a timer reconcile found first) is still
        // reported, so a follower sees every event once at least.
        if (changed || request.Cause is not null)
        {
            foreach (var observer in _observers)
                observer.OnReconciled(state, request.Cause, intents);
        }
        return state;
    }

    /// <summary>
    /// Copies the figures of stored evaluations the state lacks (their event was lost or failed), so the state shows
    /// every evaluation that exists.
    /// </summary>
    async Task FillEvaluationsAsync(CampaignState state, CampaignSnapshot snapshot, CancellationToken cancellationToken)
    {
        for (var n = 0; n <= state.Iterations; n++)
        {
            var iteration = state.IterationStates.FirstOrDefault(i => i.Iteration == n);
            if ((iteration is null || iteration.Evaluation is null) && snapshot.HasEvaluation(n)
                && await EvaluationWork.TryReadAsync(_store, CampaignKeys.Evaluation(state.CampaignId, n), cancellationToken) is { } report)
            {
                state.Iteration(n).Evaluation = report.Difficulties.ToList();
                state.Iteration(n).EvaluationSeconds = report.WallSeconds;
            }
        }
    }

    /// <summary>Lists what the store holds for <paramref name="campaignId"/>.</summary>
    public async Task<CampaignSnapshot> SnapshotAsync(string campaignId, CancellationToken cancellationToken = default)
    {
        var keys = await _store.ListAsync(CampaignKeys.CampaignPrefix(campaignId), cancellationToken);
        var checkpointsPrefix = CampaignKeys.CheckpointsPrefix(campaignId);
        var policies = new Dictionary<int, CheckpointReference>();
        foreach (var checkpoint in await _checkpoints.ListAsync(checkpointsPrefix, cancellationToken))
        {
            // Policies live at checkpoints/{id}/iter-{n}/; anything else under the prefix is not a policy.
            var rest = checkpoint.Prefix[checkpointsPrefix.Length..];
            if (rest.StartsWith("iter-", StringComparison.Ordinal) && rest.EndsWith('/')
                && int.TryParse(rest["iter-".Length..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var iteration)
                && CampaignKeys.Policy(campaignId, iteration) == checkpoint.Prefix)
                policies[iteration] = checkpoint;
        }
        return new CampaignSnapshot(campaignId, keys.ToHashSet(StringComparer.Ordinal), policies);
    }

    async Task SendAsync(CampaignDefinition definition, CampaignState state, DispatchIntent intent, ICampaignCommandSender sender,
        IRolloutPayload? payload, CancellationToken cancellationToken)
    {
        var stage = StageDefinitions.Of(intent.Stage);
        var iteration = state.Iteration(intent.Iteration);
        var checkpoint = intent.Stage == CampaignStage.Evaluation ? Required(iteration.Policy, intent) : Required(iteration.StartPolicy, intent);
        var dispatch = new StageDispatch(definition, state.CampaignId, intent.Iteration, intent.Shard, checkpoint);
        if (stage.TakesRollouts)
        {
            var input = CampaignKeys.ShardOutput(state.CampaignId, intent.Iteration, definition.Chain.Previous(intent.Stage)!.Value, intent.Shard);
            var (count, rollouts) = await InputAsync(input, payload, cancellationToken);
            dispatch = dispatch with { InputKey = input, InputCount = count, InputRollouts = rollouts };
        }
        await sender.SendAsync(stage.CreateCommand(dispatch), stage.Name, cancellationToken);
    }

    async Task<(int Count, IReadOnlyList<Rollout>? Rollouts)> InputAsync(string key, IRolloutPayload? payload, CancellationToken cancellationToken)
    {
        if (payload is not null && payload.RolloutsKey == key)
            return (payload.Count, payload.Rollouts);
        var stored = await _shards.TryReadAsync<Rollout>(key, cancellationToken)
            ?? throw new InvalidOperationException($"Stage input '{key}' disappeared between listing and reading.");
        return (stored.Count, stored.Inline);
    }

    static CheckpointReference Required(CheckpointReference? checkpoint, DispatchIntent intent) =>
        checkpoint ?? throw new InvalidOperationException(
            $"The planner dispatched {intent.Stage.Name()} of iteration {intent.Iteration} before its policy existed.");
}
