// One `dotnet pipeline.dll ...` child process (a stage worker or a one-shot CLI verb) with its output captured, so a
// failing end-to-end test can show what every process printed. Kill sends SIGKILL: the point of the crash tests is a
// worker that gets no chance to clean up.
using System.Diagnostics;
using System.Text;

namespace Pipeline.Cli.Tests.EndToEnd;

internal sealed class PipelineProcess : IDisposable
{
    readonly Process _process;
    readonly StringBuilder _output = new();
    readonly StringBuilder _error = new();
    readonly object _gate = new();
    readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    PipelineProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    /// <summary>What the test calls this process in messages (e.g. <c>generation#2</c>).</summary>
    public string Name { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get { lock (_gate) return _output.ToString(); }
    }

    public string Error
    {
        get { lock (_gate) return _error.ToString(); }
    }

    /// <summary>Where the built CLI lives: the test project references Pipeline.Cli, so its output sits next to the tests.</summary>
    public static string CliPath
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "pipeline.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"The built CLI is not at {path}; build the solution first.");
        }
    }

    /// <summary>The dotnet host that runs this test (the SDK sets DOTNET_HOST_PATH for test runs), else dotnet on PATH.</summary>
    static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    public static PipelineProcess Start(string name, IReadOnlyDictionary<string, string> environment, string workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo(DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        info.ArgumentList.Add(CliPath);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        // The test's own environment may carry settings for another deployment; the cluster's settings are the only ones.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("Bus__", StringComparison.Ordinal)
                     || k.StartsWith("Storage__", StringComparison.Ordinal) || k.StartsWith("Stages__", StringComparison.Ordinal)).ToList())
            info.Environment.Remove(key);
        foreach (var (key, value) in environment) info.Environment[key] = value;
        info.Environment["DOTNET_NOLOGO"] = "1";

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var wrapper = new PipelineProcess(name, process);
        process.OutputDataReceived += (_, e) => wrapper.Append(wrapper._output, e.Data);
        process.ErrorDataReceived += (_, e) => wrapper.Append(wrapper._error, e.Data);
        process.Exited += (_, _) => wrapper._exited.TrySetResult();
        if (!process.Start()) throw new InvalidOperationException($"Could not start {name}.");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return wrapper;
    }

    void Append(StringBuilder target, string? line)
    {
        if (line is null) return;
        lock (_gate) target.AppendLine(line);
    }

    /// <summary>Waits until the process exits; false when <paramref name="limit"/> passes first.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan limit)
    {
        var finished = await Task.WhenAny(_exited.Task, Task.Delay(limit)) == _exited.Task;
        if (finished) await _process.WaitForExitAsync(); // drains the redirected output
        return finished;
    }

    /// <summary>Waits until stdout holds <paramref name="text"/>; throws with the captured output when it exits or the limit passes.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (HasExited)
                throw new InvalidOperationException($"{Name} exited with code {ExitCode} before printing '{text}'.\n{Describe()}");
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{Name} did not print '{text}' within {limit.TotalSeconds:0} s.\n{Describe()}");
            await Task.Delay(100);
        }
    }

    /// <summary>SIGKILL, and wait until the process is gone.</summary>
    public void Kill()
    {
        if (_process.HasExited) return;
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }
        _process.WaitForExit(10_000);
    }

    /// <summary>The captured output, the last lines of each stream, for failure messages.</summary>
    public string Describe(int lines = 40)
    {
        static string Tail(string text, int count)
        {
            // Log lines carry whole stack traces on one line; the head of each says what happened.
            var all = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Length > 600 ? l[..600] + " ..." : l).ToArray();
            return string.Join('\n', all.Skip(Math.Max(0, all.Length - count)));
        }
        var state = _process.HasExited ? $"exited {_process.ExitCode}" : "running";
        return $"--- {Name} (pid {_process.Id}, {state}) stdout:\n{Tail(Output, lines)}\n--- {Name} stderr:\n{Tail(Error, lines)}";
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
