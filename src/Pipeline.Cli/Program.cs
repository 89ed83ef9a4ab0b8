// The `pipeline` command: runs campaigns, hosts stage workers and exposes the engine's tools.
// Each verb lives in Commands/ and is added here.
using System.CommandLine;
using Pipeline.Cli.Commands;

var root = new RootCommand("Pipeline: self-improvement campaigns for language models.");
root.Subcommands.Add(RunCommand.Create());
root.Subcommands.Add(WorkerCommand.Create());
root.Subcommands.Add(CampaignCommands.Create());
root.Subcommands.Add(ModelCommands.Create());
root.Subcommands.Add(BenchCommands.Create());
foreach (var command in LearningCommands.Create()) root.Subcommands.Add(command);
foreach (var command in OperationsCommands.Create()) root.Subcommands.Add(command);
return await root.Parse(args).InvokeAsync();
