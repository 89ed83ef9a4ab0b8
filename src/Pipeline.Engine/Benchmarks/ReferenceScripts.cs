// Runs the PyTorch reference scripts in tests/reference with Debian's /usr/bin/python3 (the one with torch), for the
// parity tests, the GEMM benchmark and `pipeline bench`. The one place that finds the repository and launches them.
using System.Diagnostics;

namespace Pipeline.Engine.Benchmarks;

/// <summary>Locates and runs the PyTorch reference scripts of the repository (tests/reference).</summary>
public static class ReferenceScripts
{
    /// <summary>The interpreter that has torch on this machine; the python3 on PATH may be another one.</summary>
    public const string Python = "/usr/bin/python3";

    /// <summary>Full path of tests/reference/<paramref name="scriptName"/>.</summary>
    public static string PathOf(string scriptName) => Path.Combine(RepositoryRoot(), "tests", "reference", scriptName);

    /// <summary>Runs the script with the arguments and standard input; returns standard output, throws on failure.</summary>
    public static string Run(string scriptName, IEnumerable<string> arguments, string? standardInput = null) =>
        RunPython(scriptName, [PathOf(scriptName), .. arguments], standardInput);

    /// <summary>
    /// Throws <see cref="InvalidOperationException"/> with one line saying why when the interpreter cannot import torch,
    /// so a benchmark fails before it has spent minutes on the engine's half.
    /// </summary>
    public static void RequireTorch()
    {
        try
        {
            RunPython("import torch", ["-c", "import torch"], null);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"PyTorch is not available to {Python}: {LastLine(e.Message)}", e);
        }
    }

    /// <summary>The last non-empty line of a message (of a python traceback: the exception itself).</summary>
    public static string LastLine(string message) =>
        message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? message;

    private static string RunPython(string what, IEnumerable<string> arguments, string? standardInput)
    {
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {Python}.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"Could not start {Python}: {e.Message}", e);
        }

        using (process)
        {
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
                throw new InvalidOperationException($"{what} exited with {process.ExitCode}: {errors.Result}");
            }

            return output.Result;
        }
    }

    /// <summary>
    /// The folder holding Pipeline.sln: searched upwards from the binaries (tests, <c>dotnet run</c>) and then from the
    /// working directory (an installed CLI started inside a checkout).
    /// </summary>
    public static string RepositoryRoot()
    {
        foreach (string start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Pipeline.sln")))
                {
                    return directory.FullName;
                }
            }
        }

        throw new DirectoryNotFoundException(
            "Pipeline.sln not found above the binaries or the working directory: the reference scripts live in the repository.");
    }
}
