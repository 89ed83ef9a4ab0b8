// The `pipeline` command: runs campaigns, hosts stage workers and exposes the engine's tools.
// Each verb lives in Commands/ and is added in Commands/PipelineCommand.cs.
using Pipeline.Cli.Commands;

return await PipelineCommand.InvokeAsync(args);
