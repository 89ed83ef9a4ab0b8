// Lets the engine tests reach the internal layer kernels they check with finite differences.
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Pipeline.Engine.Tests")]
