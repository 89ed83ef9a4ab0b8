// Runs the PyTorch reference scripts in tests/reference with Debian's /usr/bin/python3 (the one with torch), the way
// the parity tests and benchmarks use them. One place for finding the repository and launching the interpreter.
using System.Diagnostics;

namespace Pipeline.Engine.Tests;

internal static class ReferenceScripts
{
    /// <summary>The interpreter that has torch on this machine; the python3 on PATH may be another one.</summary>
    public const string Python = "/usr/bin/python3";

    /// <summary>Full path of tests/reference/<paramref name="scriptName"/>.</summary>
    public static string PathOf(string scriptName) => Path.Combine(RepositoryRoot(), "tests", "reference", scriptName);

    /// <summary>Runs the script with the arguments and standard input; returns standard output, throws on failure.</summary>
    public static string Run(string scriptName, IEnumerable<string> arguments, string? standardInput = null)
    {
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(PathOf(scriptName));
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {Python}.");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> errors = process.StandardError.ReadToEndAsync();
        if (standardInput is not null)
        {
            process.StandardInput.Write(standardInput);
        }
        process.StandardInput.Close();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{scriptName} exited with {process.ExitCode}: {errors.Result}");
        }
        return output.Result;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Pipeline.sln")))
            {
                return directory.FullName;
            }
        }
        throw new DirectoryNotFoundException("Pipeline.sln not found above the test binaries.");
    }
}
