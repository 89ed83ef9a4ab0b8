// The micro-kernels are generated: the committed GemmMicroKernels.g.cs must be exactly what its script writes, so an edit
// by hand (which the next regeneration would silently undo) fails here.
using System.Diagnostics;
using Pipeline.Testing;

namespace Pipeline.Engine.Tests.Kernels;

public sealed class GemmMicroKernelsTests
{
    [Fact]
    public void Generator_Rerun_WritesTheCommittedFileByteForByte()
    {
        string kernels = Path.Combine(RepositoryRoot(), "src", "Pipeline.Engine", "Kernels");
        using var scratch = new TemporaryDirectory();
        string target = Path.Combine(scratch, "GemmMicroKernels.g.cs");

        var start = new ProcessStartInfo("python3") { RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(kernels, "GemmMicroKernels.py"));
        start.ArgumentList.Add(target);
        using var process = Process.Start(start)!;
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();

        Assert.True(process.ExitCode == 0, error);
        Assert.Equal(File.ReadAllBytes(Path.Combine(kernels, "GemmMicroKernels.g.cs")), File.ReadAllBytes(target));
    }

    static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Pipeline.sln"))) return directory.FullName;
        throw new DirectoryNotFoundException("Pipeline.sln not found above the test binaries.");
    }
}
