// Every stage in one table: its name (the queue name, the store key segment and the CLI spelling), the command it
// consumes and the event it publishes, the worker role that hosts it, how its consumer and work are registered, and how
// the orchestrator builds its command. Hosting, dispatch, the operations verbs and the tests derive from this table, so a
// new stage is a row here plus its command, event, consumer and work.
using MassTransit;
using Pipeline.Contracts;
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Hosting;

namespace Pipeline.Stages;

/// <summary>One stage of a campaign iteration.</summary>
/// <param name="Stage">The stage.</param>
/// <param name="Name">Queue name, key segment of its outputs and CLI spelling.</param>
/// <param name="Command">The command its consumer takes.</param>
/// <param name="Event">The event it publishes when a unit is done.</param>
/// <param name="Host">The worker role whose processes consume its queue.</param>
/// <param name="TakesRollouts">Whether its command carries the previous stage's rollouts (inline or by key).</param>
public sealed record StageDefinition(CampaignStage Stage, string Name, Type Command, Type Event, WorkerRole Host, bool TakesRollouts)
{
    /// <summary>Adds the stage's work class and consumer (with its definition) to a bus.</summary>
    internal Action<IBusRegistrationConfigurator> Register { get; init; } = _ => { };

    /// <summary>Builds the stage's command for one due unit of work.</summary>
    internal Func<StageDispatch, object> CreateCommand { get; init; } = _ => throw new InvalidOperationException("The stage has no command.");
}

/// <summary>What the orchestrator knows when it sends one unit of work.</summary>
/// <param name="Definition">The campaign file.</param>
/// <param name="CampaignId">The campaign.</param>
/// <param name="Iteration">The iteration.</param>
/// <param name="Unit">The shard, or the update's chunk (0 for an evaluation).</param>
/// <param name="Checkpoint">The checkpoint the work runs on (the iteration's starting policy; for an evaluation, the policy evaluated).</param>
/// <param name="InputKey">Store key of the previous stage's output, for stages that take rollouts.</param>
/// <param name="InputCount">Records under <paramref name="InputKey"/>.</param>
/// <param name="InputRollouts">Those records inline, when small enough.</param>
internal sealed record StageDispatch(CampaignDefinition Definition, string CampaignId, int Iteration, int Unit, CheckpointReference Checkpoint,
    string? InputKey = null, int InputCount = 0, IReadOnlyList<Rollout>? InputRollouts = null);

/// <summary>The stage table.</summary>
public static class StageDefinitions
{
    /// <summary>The orchestrator's queue (AdvanceCampaign, every event, and faults): not a stage, but a queue of its own.</summary>
    public const string OrchestratorQueue = "orchestrator";

    /// <summary>Every stage, in pipeline order (evaluation last).</summary>
    public static IReadOnlyList<StageDefinition> All { get; } =
    [
        new(CampaignStage.Generation, "generation", typeof(GenerateRollouts), typeof(RolloutsGenerated), WorkerRole.Generation, TakesRollouts: false)
        {
            Register = bus => bus.AddGenerationStage(),
            CreateCommand = d => new GenerateRollouts(d.CampaignId, d.Iteration, d.Unit, d.Checkpoint, CampaignPrompts.Shard(d.Definition, d.Iteration, d.Unit)),
        },
        new(CampaignStage.Scoring, "scoring", typeof(ScoreRollouts), typeof(RolloutsScored), WorkerRole.Scoring, TakesRollouts: true)
        {
            Register = bus => bus.AddScoringStage(),
            CreateCommand = d => new ScoreRollouts(d.CampaignId, d.Iteration, d.Unit, d.Checkpoint, d.InputKey!, d.InputCount, d.InputRollouts),
        },
        new(CampaignStage.Judging, "judging", typeof(JudgeRollouts), typeof(RolloutsJudged), WorkerRole.Judging, TakesRollouts: true)
        {
            Register = bus => bus.AddJudgingStage(),
            CreateCommand = d => new JudgeRollouts(d.CampaignId, d.Iteration, d.Unit, d.Checkpoint, d.InputKey!, d.InputCount, d.InputRollouts),
        },
        new(CampaignStage.Pairs, "pairs", typeof(BuildPairs), typeof(PairsBuilt), WorkerRole.Pairs, TakesRollouts: true)
        {
            Register = bus => bus.AddPairsStage(),
            CreateCommand = d => new BuildPairs(d.CampaignId, d.Iteration, d.Unit, d.Checkpoint, d.InputKey!, d.InputCount, d.InputRollouts),
        },
        new(CampaignStage.Update, "update", typeof(UpdatePolicy), typeof(PolicyUpdated), WorkerRole.Update, TakesRollouts: false)
        {
            Register = bus => bus.AddUpdateStage(),
            CreateCommand = d => new UpdatePolicy(d.CampaignId, d.Iteration, d.Unit, d.Checkpoint, d.Definition.ChunkCount,
                Enumerable.Range(0, d.Definition.Shards).Select(s => CampaignKeys.ShardOutput(d.CampaignId, d.Iteration, d.Definition.Chain.UpdateInput, s)).ToList()),
        },
        new(CampaignStage.Evaluation, "evaluation", typeof(EvaluatePolicy), typeof(PolicyEvaluated), WorkerRole.Generation, TakesRollouts: false)
        {
            // The generation role registers evaluation too (both sample from a policy, so they share the loaded models).
            Register = _ => { },
            CreateCommand = d => new EvaluatePolicy(d.CampaignId, d.Iteration, d.Checkpoint),
        },
    ];

    /// <summary>The definition of <paramref name="stage"/>.</summary>
    public static StageDefinition Of(CampaignStage stage) =>
        All.FirstOrDefault(s => s.Stage == stage) ?? throw new ArgumentOutOfRangeException(nameof(stage), stage, "Unknown stage.");

    /// <summary>Every queue a deployment has: each stage's, then the orchestrator's.</summary>
    public static IReadOnlyList<string> Queues { get; } = [.. All.Select(s => s.Name), OrchestratorQueue];
}
