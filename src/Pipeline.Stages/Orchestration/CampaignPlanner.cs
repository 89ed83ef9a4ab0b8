// The reconcile decision as a pure function: given the campaign file, its state document and what the store holds, it
// brings the state's progress up to date and returns the commands that are due. Every unit of work (a shard of a stage,
// a chunk of the update, an evaluation) is due when its input exists, its output does not, and it was not sent already
// (or a resume asked to send again). No I/O here, so every rule is testable on plain values.
using Pipeline.Stages.Campaigns;

namespace Pipeline.Stages.Orchestration;

/// <summary>Derives a campaign's progress and its due work from a <see cref="CampaignSnapshot"/>.</summary>
internal static class CampaignPlanner
{
    /// <summary>
    /// Updates <paramref name="state"/> in place (progress, policies, dispatched marks, failures cleared by success,
    /// current iteration, completion) and returns the work to send now, which is already marked dispatched in the state.
    /// A cancelled or completed campaign gets its progress refreshed but no work.
    /// </summary>
    /// <param name="definition">The campaign file.</param>
    /// <param name="state">The state document to update.</param>
    /// <param name="snapshot">What the store holds.</param>
    /// <param name="redispatch">Send again work that was sent before and whose output still does not exist.</param>
    /// <param name="now">The time recorded when the campaign completes.</param>
    public static IReadOnlyList<DispatchIntent> Plan(CampaignDefinition definition, CampaignState state, CampaignSnapshot snapshot,
        bool redispatch, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(snapshot);
        var plan = new Planning(state.Status == CampaignStatus.Running, redispatch);
        state.Iterations = definition.Iterations;
        state.Recipe = definition.Recipe.Name();

        var baseIteration = state.Iteration(0);
        baseIteration.Policy = snapshot.Policy(0);
        plan.Consider(baseIteration, CampaignStage.Evaluation, 0, total: 1,
            done: snapshot.HasEvaluation(0), ready: baseIteration.Policy is not null);

        var chain = definition.Chain;
        var chunks = definition.ChunkCount;
        for (var n = 1; n <= definition.Iterations; n++)
        {
            var iteration = state.Iteration(n);
            iteration.StartPolicy = snapshot.Policy(n - 1);
            iteration.Policy = snapshot.Policy(n);
            var started = iteration.StartPolicy is not null;
            var finished = iteration.Policy is not null;

            var inputsReady = true;
            for (var shard = 0; shard < definition.Shards; shard++)
            {
                // Walk the shard's chain: each stage is ready once the one before it has its output.
                var previousDone = started;
                foreach (var stage in chain.ShardStages)
                {
                    var done = snapshot.HasShardOutput(n, stage, shard);
                    plan.Consider(iteration, stage, shard, definition.Shards, done, ready: previousDone && !finished);
                    previousDone = done;
                }
                inputsReady &= previousDone;
            }

            for (var chunk = 0; chunk < chunks; chunk++)
            {
                // The last chunk also writes the policy; until the policy exists that chunk is not done, so a trainer
                // that died between the two is sent the chunk again (and finds its saved state).
                var done = finished || (snapshot.HasChunk(n, chunk) && chunk < chunks - 1);
                var ready = chunk == 0 ? started && inputsReady : snapshot.HasChunk(n, chunk - 1);
                plan.Consider(iteration, CampaignStage.Update, chunk, chunks, done, ready);
            }

            plan.Consider(iteration, CampaignStage.Evaluation, 0, total: 1, done: snapshot.HasEvaluation(n), ready: finished);
        }

        state.IterationStates.RemoveAll(i => i.Iteration > definition.Iterations);
        var current = Enumerable.Range(1, definition.Iterations).FirstOrDefault(n => snapshot.Policy(n) is null);
        state.CurrentIteration = current == 0 ? definition.Iterations + 1 : current;

        if (IsComplete(definition, snapshot) && state.Status == CampaignStatus.Running)
        {
            state.Status = CampaignStatus.Completed;
            state.CompletedAt = now;
            return [];
        }
        return plan.Intents;
    }

    /// <summary>Whether the campaign's work is all done by what the snapshot holds (every evaluation 0..iterations exists).</summary>
    public static bool IsComplete(CampaignDefinition definition, CampaignSnapshot snapshot) =>
        Enumerable.Range(0, definition.Iterations + 1).All(snapshot.HasEvaluation);

    sealed class Planning(bool dispatching, bool redispatch)
    {
        public List<DispatchIntent> Intents { get; } = [];

        public void Consider(IterationState iteration, CampaignStage stage, int shard, int total, bool done, bool ready)
        {
            var progress = iteration.Stage(stage.Name());
            progress.Total = total;
            if (shard == 0)
                progress.Done = 0;
            if (done)
            {
                progress.Done++;
                progress.Dispatched.Remove(shard);
                progress.Failures.RemoveAll(f => f.Shard == shard);
                return;
            }
            if (!ready || !dispatching)
                return;
            if (redispatch)
                progress.Dispatched.Remove(shard);
            if (progress.Dispatched.Add(shard))
                Intents.Add(new DispatchIntent(iteration.Iteration, stage, shard));
        }
    }
}
