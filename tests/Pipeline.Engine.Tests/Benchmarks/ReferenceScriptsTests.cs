// The shared reference-script runner: finds the repository from the test binaries, and reduces a python traceback to
// the one line the CLI prints when torch is missing.
using Pipeline.Engine.Benchmarks;

namespace Pipeline.Engine.Tests.Benchmarks;

public sealed class ReferenceScriptsTests
{
    [Fact]
    public void PathOf_BenchScript_PointsIntoTheRepositorysReferenceFolder()
    {
        string path = ReferenceScripts.PathOf("torch_bench.py");

        Assert.True(File.Exists(path), path);
        Assert.True(File.Exists(Path.Combine(ReferenceScripts.RepositoryRoot(), "Pipeline.sln")));
    }

    [Fact]
    public void LastLine_Traceback_IsTheExceptionLine()
    {
        const string traceback = "import torch exited with 1: Traceback (most recent call last):\n  File \"<string>\", line 1, in <module>\n"
            + "ModuleNotFoundError: No module named 'torch'\n\n";

        Assert.Equal("ModuleNotFoundError: No module named 'torch'", ReferenceScripts.LastLine(traceback));
    }

    [Fact]
    public void RequireTorch_DebianInterpreter_ImportsTorch()
    {
        Exception? error = Record.Exception(ReferenceScripts.RequireTorch);

        Assert.Null(error);
    }
}
