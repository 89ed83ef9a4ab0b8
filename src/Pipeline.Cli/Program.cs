// The `pipeline` command: runs campaigns, hosts stage workers and exposes the engine's tools.
// Each verb lives in Commands/ and is added here.
using System.CommandLine;

var root = new RootCommand("Pipeline: self-improvement campaigns for language models.");
return await root.Parse(args).InvokeAsync();
