// `pipeline campaign start|status|list|resume|cancel`: operate campaigns in the configured store and bus (RabbitMQ and
// Azure Blob in a deployment). start and resume send to the orchestrator, so they need the broker; the others only read
// or edit the state document.
using System.CommandLine;
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Orchestration;
using static Pipeline.Cli.Commands.CommandSupport;

namespace Pipeline.Cli.Commands;

/// <summary>The <c>campaign</c> verb group.</summary>
internal static class CampaignCommands
{
    /// <summary>Builds the group.</summary>
    public static Command Create()
    {
        var command = new Command("campaign", "Start, inspect, cancel and resume campaigns against the configured bus and store.");
        command.Subcommands.Add(CreateStart());
        command.Subcommands.Add(CreateStatus());
        command.Subcommands.Add(CreateList());
        command.Subcommands.Add(CreateResume());
        command.Subcommands.Add(CreateCancel());
        return command;
    }

    /// <summary>The campaign file or built-in recipe argument.</summary>
    internal static Argument<string> CampaignArgument(bool optional) => new("campaign")
    {
        Description = $"A campaign file (JSON) or a built-in recipe: {string.Join(", ", CampaignDefinition.BuiltInNames)}.",
        Arity = optional ? ArgumentArity.ZeroOrOne : ArgumentArity.ExactlyOne,
    };

    /// <summary>The <c>--iterations N</c> option.</summary>
    internal static Option<int?> IterationsOption() => new("--iterations") { Description = "Override the campaign's iteration count." };

    /// <summary>The definition named by <paramref name="fileOrRecipe"/>, with the iteration count overridden when given.</summary>
    internal static CampaignDefinition LoadDefinition(string fileOrRecipe, int? iterations)
    {
        var definition = CampaignDefinition.LoadFileOrBuiltIn(fileOrRecipe);
        if (iterations is { } n)
        {
            if (n < 1) throw new ArgumentException("--iterations must be at least 1.");
            definition = definition with { Iterations = n };
            definition.Validate();
        }
        return definition;
    }

    static Command CreateStart()
    {
        var campaignArgument = CampaignArgument(optional: false);
        var baseModelOption = new Option<string>("--base-model") { Description = "Base model folder (config.json, tokenizer.json, *.safetensors).", Required = true };
        var idOption = new Option<string?>("--id") { Description = "Campaign id (lowercase letters, digits, '-'); default <recipe>-<UTC time>." };
        var iterationsOption = IterationsOption();
        var configOption = PipelineHosts.ConfigOption();
        var command = new Command("start", "Start a campaign: store its file and base model, then hand it to the orchestrator. Prints the id.")
        {
            campaignArgument, baseModelOption, idOption, iterationsOption, configOption,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(parse, cancellationToken, async token =>
        {
            // Everything about the input is checked before the broker is contacted.
            var definition = LoadDefinition(parse.GetRequiredValue(campaignArgument), parse.GetValue(iterationsOption));
            var baseModel = parse.GetRequiredValue(baseModelOption);
            RunCommand.CheckBaseModel(baseModel);
            var id = parse.GetValue(idOption);
            if (id is not null) CampaignKeys.ValidateId(id);
            var configuration = PipelineHosts.Configuration(parse.GetValue(configOption));
            var started = await PipelineHosts.WithSenderAsync(configuration, service => service.StartAsync(definition, baseModel, id, token), token);
            parse.InvocationConfiguration.Output.WriteLine(started);
        }));
        return command;
    }

    static Command CreateStatus()
    {
        var idArgument = new Argument<string>("id") { Description = "Campaign id." };
        var jsonOption = new Option<bool>("--json") { Description = "Print the state document as JSON." };
        var configOption = PipelineHosts.ConfigOption();
        var command = new Command("status", "Show a campaign's progress per iteration and stage, and any failed stage with its reason.")
        {
            idArgument, jsonOption, configOption,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(parse, cancellationToken, async token =>
        {
            await using var services = PipelineHosts.StoreServices(PipelineHosts.Configuration(parse.GetValue(configOption)));
            var state = await PipelineHosts.StoreOnlyService(services).StatusAsync(parse.GetRequiredValue(idArgument), token);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(jsonOption))
                output.WriteLine(CampaignOutput.Json(state));
            else
                CampaignOutput.WriteStatus(output, state);
        }));
        return command;
    }

    static Command CreateList()
    {
        var configOption = PipelineHosts.ConfigOption();
        var command = new Command("list", "List the campaigns in the store.") { configOption };
        command.SetAction((parse, cancellationToken) => RunAsync(parse, cancellationToken, async token =>
        {
            await using var services = PipelineHosts.StoreServices(PipelineHosts.Configuration(parse.GetValue(configOption)));
            CampaignOutput.WriteList(parse.InvocationConfiguration.Output, await PipelineHosts.StoreOnlyService(services).ListAsync(token));
        }));
        return command;
    }

    static Command CreateResume()
    {
        var idArgument = new Argument<string>("id") { Description = "Campaign id." };
        var configOption = PipelineHosts.ConfigOption();
        var command = new Command("resume", "Resume a campaign: a cancelled one runs again, and unfinished work that was sent is sent again.")
        {
            idArgument, configOption,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(parse, cancellationToken, async token =>
        {
            var id = parse.GetRequiredValue(idArgument);
            var configuration = PipelineHosts.Configuration(parse.GetValue(configOption));
            await using (var services = PipelineHosts.StoreServices(configuration))
                await PipelineHosts.StoreOnlyService(services).StatusAsync(id, token);
            var state = await PipelineHosts.WithSenderAsync(configuration, service => service.ResumeAsync(id, token), token);
            parse.InvocationConfiguration.Output.WriteLine(state.Status == CampaignStatus.Completed
                ? $"campaign {id} is completed; nothing to resume"
                : $"campaign {id} resumed");
        }));
        return command;
    }

    static Command CreateCancel()
    {
        var idArgument = new Argument<string>("id") { Description = "Campaign id." };
        var configOption = PipelineHosts.ConfigOption();
        var command = new Command("cancel", "Cancel a campaign: nothing more is dispatched; queued work finishes and is kept for a resume.")
        {
            idArgument, configOption,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(parse, cancellationToken, async token =>
        {
            var id = parse.GetRequiredValue(idArgument);
            await using var services = PipelineHosts.StoreServices(PipelineHosts.Configuration(parse.GetValue(configOption)));
            var state = await PipelineHosts.StoreOnlyService(services).CancelAsync(id, token);
            parse.InvocationConfiguration.Output.WriteLine(state.Status == CampaignStatus.Cancelled
                ? $"campaign {id} cancelled"
                : $"campaign {id} is {state.Status.ToString().ToLowerInvariant()}; not cancelled");
        }));
        return command;
    }
}
