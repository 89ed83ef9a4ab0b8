// Runs the PyTorch reference scripts (the Llama reference model, the training/generation and GEMM benchmarks) with
// Debian's /usr/bin/python3 (the one with torch), for `pipeline bench` and the parity tests. The scripts are embedded in
// this assembly and written once per content to a temp folder, so a published build runs them without a checkout.
using System.Diagnostics;
using System.Security.Cryptography;

namespace Pipeline.Benchmarks;

/// <summary>Writes out and runs the embedded PyTorch reference scripts.</summary>
public static class ReferenceScripts
{
    /// <summary>The interpreter that has torch on this machine; the python3 on PATH may be another one.</summary>
    public const string Python = "/usr/bin/python3";

    private const string ResourcePrefix = "Pipeline.Benchmarks.Reference.";

    private static readonly Lazy<string> Folder = new(WriteScripts);

    /// <summary>Full path of the written-out reference script <paramref name="scriptName"/> (its siblings beside it).</summary>
    /// <exception cref="FileNotFoundException">No embedded script has that name.</exception>
    public static string PathOf(string scriptName)
    {
        string path = Path.Combine(Folder.Value, scriptName);
        return File.Exists(path) ? path : throw new FileNotFoundException($"No reference script '{scriptName}' is embedded in Pipeline.Benchmarks.", scriptName);
    }

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
            throw new InvalidOperationException($"The PyTorch reference needs {Python} with torch (Debian: apt-get install python3-torch): {e.Message}", e);
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
    /// Writes every embedded script into a folder named by their content hash under the temp folder (written once, reused
    /// by later runs, never half-written: the folder is renamed into place), so scripts that import each other find one another.
    /// </summary>
    private static string WriteScripts()
    {
        var assembly = typeof(ReferenceScripts).Assembly;
        var scripts = assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal)
            .Select(n =>
            {
                using var stream = assembly.GetManifestResourceStream(n)!;
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                return (Name: n[ResourcePrefix.Length..], Bytes: copy.ToArray());
            }).ToList();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, bytes) in scripts)
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(name));
            hash.AppendData(bytes);
        }
        string folder = Path.Combine(Path.GetTempPath(), "pipeline-reference-" + Convert.ToHexStringLower(hash.GetHashAndReset())[..16]);
        if (Directory.Exists(folder)) return folder;
        string staging = folder + ".partial-" + Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(staging);
        foreach (var (name, bytes) in scripts) File.WriteAllBytes(Path.Combine(staging, name), bytes);
        try
        {
            Directory.Move(staging, folder);
        }
        catch (IOException) when (Directory.Exists(folder))
        {
            // Another process wrote the same scripts first.
            Directory.Delete(staging, recursive: true);
        }
        return folder;
    }
}
