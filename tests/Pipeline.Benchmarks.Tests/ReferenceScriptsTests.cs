// The reference-script runner: the scripts come out of the assembly beside each other (one imports another), and a
// python traceback is reduced to the one line the CLI prints when torch is missing.
using Pipeline.Benchmarks;

namespace Pipeline.Benchmarks.Tests;

public sealed class ReferenceScriptsTests
{
    [Fact]
    public void PathOf_BenchScript_WrittenOutWithTheModelItImports()
    {
        string path = ReferenceScripts.PathOf("torch_bench.py");

        Assert.True(File.Exists(path), path);
        Assert.Contains("from torch_llama import", File.ReadAllText(path));
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(path)!, "torch_llama.py")));
    }

    [Fact]
    public void PathOf_UnknownScript_NamesIt()
    {
        var error = Assert.Throws<FileNotFoundException>(() => ReferenceScripts.PathOf("nope.py"));

        Assert.Contains("'nope.py'", error.Message);
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
