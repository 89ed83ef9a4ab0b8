// The end-to-end tests run one at a time: each starts several CPU-hungry worker processes, and one of them restarts the
// shared broker, which must not happen under another end-to-end test's feet.
namespace Pipeline.Cli.Tests.EndToEnd;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EndToEndCollection
{
    public const string Name = "End-to-end campaigns";
}
