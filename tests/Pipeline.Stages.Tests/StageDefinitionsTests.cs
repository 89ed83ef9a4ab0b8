// The stage table: one row per stage with a unique queue, commands built from it carry the unit they were built for,
// and each worker role registers exactly the consumers of its stages' commands.
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Contracts;
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Hosting;

namespace Pipeline.Stages.Tests;

public sealed class StageDefinitionsTests
{
    static readonly CheckpointReference Policy = new("checkpoints/c/iter-0/", new string('a', 64));

    [Fact]
    public void All_EveryCampaignStage_HasOneRowWithAUniqueQueue()
    {
        Assert.Equal(Enum.GetValues<CampaignStage>().Order(), StageDefinitions.All.Select(s => s.Stage).Order());
        Assert.Equal(StageDefinitions.Queues.Count, StageDefinitions.Queues.Distinct().Count());
        Assert.All(StageDefinitions.All, s => Assert.Equal(s.Name, s.Stage.Name()));
    }

    [Fact]
    public void CreateCommand_EachStage_IsItsCommandTypeForTheUnit()
    {
        var definition = CampaignDefinition.LoadBuiltIn("rlsf");
        foreach (var stage in StageDefinitions.All)
        {
            var dispatch = new StageDispatch(definition, "c", 1, 1, Policy, "campaigns/c/iter-1/generation/shard-1.jsonl", 3);

            var command = stage.CreateCommand(dispatch);

            Assert.IsType(stage.Command, command);
            var message = Assert.IsAssignableFrom<IStageMessage>(command);
            Assert.Equal(("c", 1, Policy), (message.CampaignId, message.Iteration, message.Checkpoint));
            switch (command)
            {
                case IShardMessage shard: Assert.Equal(1, shard.Shard); break;
                case IChunkMessage chunk: Assert.Equal(1, chunk.Chunk); break;
                default: Assert.Equal(CampaignStage.Evaluation, stage.Stage); break;
            }
            if (stage.TakesRollouts)
                Assert.Equal(("campaigns/c/iter-1/generation/shard-1.jsonl", 3), (((IRolloutPayload)command).RolloutsKey, ((IRolloutPayload)command).Count));
        }
    }

    public static TheoryData<WorkerRole> Roles => new(WorkerRoles.All);

    [Theory]
    [MemberData(nameof(Roles))]
    public void AddPipelineStages_Role_RegistersTheConsumersOfItsStagesOnly(WorkerRole role)
    {
        var services = new ServiceCollection();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Bus:Transport"] = "InMemory",
            ["Storage:Folder:Root"] = Path.Combine(Path.GetTempPath(), "stage-table-" + Guid.NewGuid().ToString("N")),
        }).Build();

        services.AddPipelineStages(configuration, [role]);

        var consumed = services.Select(d => d.ServiceType).Where(t => t.IsClass)
            .SelectMany(t => t.GetInterfaces()).Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IConsumer<>))
            .Select(i => i.GetGenericArguments()[0]).ToHashSet();
        var expected = role.Stages().Select(s => s.Command).ToHashSet();
        Assert.True(expected.IsSubsetOf(consumed), $"{role.Name()} does not consume {string.Join(", ", expected.Except(consumed).Select(t => t.Name))}");
        var others = StageDefinitions.All.Where(s => s.Host != role).Select(s => s.Command);
        Assert.DoesNotContain(others, consumed.Contains);
        Assert.Equal(role == WorkerRole.Orchestrator, consumed.Contains(typeof(AdvanceCampaign)));
    }
}
