// Lets the CLI tests call the internal command builders with their own output writers.
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Pipeline.Cli.Tests")]
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Pipeline.Dashboard.Tests")]
