// The `pipeline` command tree in one place, so the program and the in-process verb tests parse exactly the same verbs.
using System.CommandLine;

namespace Pipeline.Cli.Commands;

/// <summary>Builds the root command with every verb.</summary>
internal static class PipelineCommand
{
    /// <summary>The root command: run, worker, campaign, dashboard, model, bench, the learning verbs and the operations verbs.</summary>
    internal static RootCommand Create()
    {
        var root = new RootCommand("Pipeline: self-improvement campaigns for language models.");
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(WorkerCommand.Create());
        root.Subcommands.Add(CampaignCommands.Create());
        root.Subcommands.Add(DashboardCommand.Create());
        root.Subcommands.Add(ModelCommands.Create());
        root.Subcommands.Add(BenchCommands.Create());
        foreach (var command in LearningCommands.Create()) root.Subcommands.Add(command);
        foreach (var command in OperationsCommands.Create()) root.Subcommands.Add(command);
        return root;
    }
}
