// An Azurite blob server owned by one test, on a port of its own, that the test can stop (gracefully or by SIGKILL) and
// start again on the same port and data folder, to interrupt uploads at a chosen point.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Pipeline.Storage.Tests.AzureBlob;

internal sealed partial class AzuriteProcess : IAsyncDisposable
{
    private const int SigTerm = 15;
    private readonly string _binary;
    private readonly string? _location;
    private Process? _process;

    private AzuriteProcess(string binary, int port, string? location)
    {
        _binary = binary;
        Port = port;
        _location = location;
    }

    public int Port { get; }

    /// <summary>Starts Azurite on a free loopback port, keeping data in a temp folder, or in memory when <paramref name="persistent"/> is false.</summary>
    public static async Task<AzuriteProcess> StartAsync(bool persistent)
    {
        var location = persistent ? Directory.CreateTempSubdirectory("pipeline-azurite-").FullName : null;
        var azurite = new AzuriteProcess(FindBinary(), FreePort(), location);
        await azurite.StartAsync();
        return azurite;
    }

    /// <summary>
    /// The azurite-blob launcher: $PIPELINE_AZURITE_BIN, else the repository's infra install (.infra/azurite or
    /// infra/azurite), else /tmp/azurite (npm install azurite@3.37.0 --prefix /tmp/azurite), else azurite-blob on PATH.
    /// </summary>
    public static string FindBinary()
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("PIPELINE_AZURITE_BIN") is { Length: > 0 } configured)
            candidates.Add(configured);
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (!File.Exists(Path.Combine(folder.FullName, "Pipeline.sln"))) continue;
            candidates.Add(Path.Combine(folder.FullName, ".infra", "azurite", "node_modules", ".bin", "azurite-blob"));
            candidates.Add(Path.Combine(folder.FullName, "infra", "azurite", "node_modules", ".bin", "azurite-blob"));
            break;
        }
        candidates.Add("/tmp/azurite/node_modules/.bin/azurite-blob");
        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, "azurite-blob")));
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException("azurite-blob not found; set PIPELINE_AZURITE_BIN. Looked in: " + string.Join(", ", candidates));
    }

    public async Task StartAsync()
    {
        var arguments = new List<string> { "--blobHost", "127.0.0.1", "--blobPort", Port.ToString(), "--skipApiVersionCheck", "--loose", "--silent", "--disableTelemetry" };
        arguments.AddRange(_location is null ? ["--inMemoryPersistence"] : ["--location", _location]);
        var start = new ProcessStartInfo(_binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        arguments.ForEach(start.ArgumentList.Add);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Text.StringBuilder();
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, line) =>
        {
            lock (output) output.AppendLine(line.Data);
            if (line.Data?.Contains("successfully listens", StringComparison.Ordinal) == true) ready.TrySetResult();
        };
        process.ErrorDataReceived += (_, line) => { lock (output) output.AppendLine(line.Data); };
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"Azurite exited at start-up:\n{output}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>SIGTERM (Azurite closes its server and saves its metadata) or SIGKILL (nothing is saved); waits for the exit.</summary>
    public async Task StopAsync(bool graceful)
    {
        var process = _process ?? throw new InvalidOperationException("Azurite is not running.");
        if (graceful)
            _ = Kill(process.Id, SigTerm);
        else
            process.Kill(entireProcessTree: true);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null) await StopAsync(graceful: false);
        if (_location is not null) Directory.Delete(_location, recursive: true);
    }

    /// <summary>A loopback port nobody listens on at the moment of the call.</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
