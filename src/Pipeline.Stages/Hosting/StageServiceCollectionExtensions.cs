// How a process becomes one or more stages (eShop style: one extension per stage, and one that composes them from a
// list). Storage and the bus come from their own extensions; these add the work classes, the consumers with their
// definitions, and for the orchestrator the periodic reconcile. The embedded run and every worker use the same calls.
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Pipeline.Learning.Policies;
using Pipeline.Stages.Consumers;
using Pipeline.Stages.Messaging;
using Pipeline.Stages.Orchestration;
using Pipeline.Stages.Work;
using Pipeline.Storage;
using Pipeline.Storage.Checkpoints;

namespace Pipeline.Stages.Hosting;

/// <summary>Registration of pipeline stages.</summary>
public static class StageServiceCollectionExtensions
{
    /// <summary>
    /// Adds a policy backend that campaigns may name (<c>"backend"</c>) besides the default one; the default stays the
    /// <see cref="IPolicyBackend"/> service (the managed engine unless the host registered another).
    /// </summary>
    public static IServiceCollection AddPolicyBackend(this IServiceCollection services, IPolicyBackend backend)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(backend);
        services.AddSingleton(new NamedPolicyBackend(backend));
        return services;
    }

    /// <summary>
    /// Adds storage (<c>Storage</c> section), the bus (<c>Bus</c> section) with the consumers of <paramref name="stages"/>,
    /// and what they need (<c>Stages</c> section, see <see cref="StageOptions"/>).
    /// </summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">A configuration section is invalid.</exception>
    /// <exception cref="InvalidOperationException">The storage configuration is invalid.</exception>
    public static IServiceCollection AddPipelineStages(this IServiceCollection services, IConfiguration configuration,
        IReadOnlyCollection<WorkerRole> stages)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(stages);
        services.AddStageServices(configuration);
        services.AddPipelineBus(configuration, bus =>
        {
            foreach (var role in stages.Distinct())
            {
                foreach (var stage in role.Stages())
                    stage.Register(bus);
                if (role == WorkerRole.Orchestrator)
                    bus.AddOrchestratorStage();
            }
        });
        return services;
    }

    /// <summary>
    /// Adds storage and the services shared by stages and campaign tools: <see cref="StageOptions"/>, <see cref="ShardStore"/>,
    /// the policy backend (the managed engine unless one is registered already), the policy loader, <see cref="CampaignDefinitionCache"/>, <see cref="CampaignStateStore"/>. Idempotent.
    /// </summary>
    public static IServiceCollection AddStageServices(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        if (services.Any(d => d.ServiceType == typeof(StageOptions)))
            return services;
        var options = StageOptions.FromConfiguration(configuration);
        services.AddPipelineStorage(configuration);
        services.AddSingleton(options);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(p => new ShardStore(p.GetRequiredService<IObjectStore>(), options.InlineLimitBytes));
        // The managed engine unless the host registered another backend first; campaigns may also name the backends the host
        // added with AddPolicyBackend (the CLI adds libtorch's).
        services.TryAddSingleton<IPolicyBackend, ManagedPolicyBackend>();
        services.TryAddSingleton(p => new PolicyLoader(p.GetRequiredService<CheckpointStore>(), options.CacheDirectory,
            backend: p.GetRequiredService<IPolicyBackend>(), backends: p.GetServices<NamedPolicyBackend>().Select(n => n.Backend)));
        services.TryAddSingleton<CampaignDefinitionCache>();
        services.TryAddSingleton(p => new CampaignStateStore(p.GetRequiredService<IObjectStore>(), p.GetRequiredService<TimeProvider>()));
        return services;
    }

    /// <summary>The generation stage (queue <c>generation</c>) and evaluation (queue <c>evaluation</c>), which it hosts.</summary>
    public static IBusRegistrationConfigurator AddGenerationStage(this IBusRegistrationConfigurator bus)
    {
        bus.TryAddSingleton<GenerationWork>();
        bus.TryAddSingleton(p => new EvaluationWork(p.GetRequiredService<IObjectStore>(), p.GetRequiredService<PolicyLoader>()));
        bus.AddConsumer<GenerateRolloutsConsumer, GenerateRolloutsConsumerDefinition>();
        bus.AddConsumer<EvaluatePolicyConsumer, EvaluatePolicyConsumerDefinition>();
        return bus;
    }

    /// <summary>The scoring stage (queue <c>scoring</c>).</summary>
    public static IBusRegistrationConfigurator AddScoringStage(this IBusRegistrationConfigurator bus)
    {
        bus.TryAddSingleton<ScoringWork>();
        bus.AddConsumer<ScoreRolloutsConsumer, ScoreRolloutsConsumerDefinition>();
        return bus;
    }

    /// <summary>The judging stage (queue <c>judging</c>).</summary>
    public static IBusRegistrationConfigurator AddJudgingStage(this IBusRegistrationConfigurator bus)
    {
        bus.TryAddSingleton<JudgingWork>();
        bus.AddConsumer<JudgeRolloutsConsumer, JudgeRolloutsConsumerDefinition>();
        return bus;
    }

    /// <summary>The pair stage (queue <c>pairs</c>).</summary>
    public static IBusRegistrationConfigurator AddPairsStage(this IBusRegistrationConfigurator bus)
    {
        bus.TryAddSingleton<PairWork>();
        bus.AddConsumer<BuildPairsConsumer, BuildPairsConsumerDefinition>();
        return bus;
    }

    /// <summary>The policy-update stage (queue <c>update</c>).</summary>
    public static IBusRegistrationConfigurator AddUpdateStage(this IBusRegistrationConfigurator bus)
    {
        bus.TryAddSingleton<UpdateWork>();
        bus.AddConsumer<UpdatePolicyConsumer, UpdatePolicyConsumerDefinition>();
        return bus;
    }

    /// <summary>The orchestrator (queue <c>orchestrator</c>) and its periodic reconcile.</summary>
    public static IBusRegistrationConfigurator AddOrchestratorStage(this IBusRegistrationConfigurator bus)
    {
        bus.TryAddSingleton<CampaignReconciler>();
        bus.AddConsumer<OrchestratorConsumer, OrchestratorConsumerDefinition>();
        bus.AddHostedService<PeriodicReconcileService>();
        return bus;
    }
}
