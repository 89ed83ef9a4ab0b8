// Getting libtorch into the process safely: a probe that loads the native bridge itself before the first torch call (so a
// library that cannot load becomes one clear exception instead of TorchSharp's misleading type-initialisation failure and
// an aborted process), the threading a small shared machine needs (OpenMP threads that sleep rather than spin; one
// inter-op thread; a bounded intra-op count), and the device a model lives on: cpu, cuda or cuda:N.
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Backends.Torch.Runtime;

/// <summary>libtorch cannot run in this process: its native libraries are missing or do not load, or a device is absent.</summary>
public sealed class TorchUnavailableException : InvalidOperationException
{
    /// <summary>An exception whose one-line message says why and what to do.</summary>
    public TorchUnavailableException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}

/// <summary>Process-wide libtorch set-up: load probe, threads, devices.</summary>
public static partial class TorchRuntime
{
    private const string BridgeName = "libLibTorchSharp.so";
    private static readonly Lock Gate = new();
    private static TorchUnavailableException? _failure;
    private static bool _loaded;

    /// <summary>Intra-op threads libtorch uses (after <see cref="Initialize"/>).</summary>
    public static int Threads { get; private set; }

    /// <summary>
    /// Loads libtorch once per process and sets its intra-op thread count to <paramref name="threads"/> (later calls only
    /// change the count). Throws <see cref="TorchUnavailableException"/> with a one-line reason when the native libraries
    /// cannot load; the failure is remembered, so later calls throw the same without touching torch.
    /// </summary>
    public static void Initialize(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        lock (Gate)
        {
            if (_failure is not null)
            {
                throw _failure;
            }

            if (!_loaded)
            {
                try
                {
                    Load();
                }
                catch (TorchUnavailableException e)
                {
                    _failure = e;
                    throw;
                }

                _loaded = true;
            }

            if (Threads != threads)
            {
                torch.set_num_threads(threads);
                Threads = threads;
            }
        }
    }

    /// <summary>
    /// Whether libtorch loads here (initialising it with one thread when it does), and if not, why: for callers that fall
    /// back or report instead of failing.
    /// </summary>
    public static bool TryInitialize(out string? reason)
    {
        try
        {
            Initialize(Threads > 0 ? Threads : 1);
            reason = null;
            return true;
        }
        catch (TorchUnavailableException e)
        {
            reason = e.Message;
            return false;
        }
    }

    /// <summary>
    /// The device named <paramref name="name"/>: <c>cpu</c>, <c>cuda</c> (device 0) or <c>cuda:N</c>. A CUDA device must exist:
    /// the CPU build of libtorch, a missing driver or an index past the device count is a <see cref="TorchUnavailableException"/>.
    /// </summary>
    public static Device ResolveDevice(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        string text = name.Trim().ToLowerInvariant();
        if (text == "cpu")
        {
            return torch.CPU;
        }

        int index = 0;
        if (!(text == "cuda" || (text.StartsWith("cuda:", StringComparison.Ordinal)
                && int.TryParse(text.AsSpan(5), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out index))))
        {
            throw new ArgumentException($"Unknown torch device '{name}': use cpu, cuda or cuda:N.", nameof(name));
        }

        if (!torch.cuda.is_available())
        {
            throw new TorchUnavailableException(
                $"Device '{name}' asked for, but libtorch sees no CUDA device (a CPU build of libtorch — build with -p:TorchRuntime=cuda — or no NVIDIA driver/GPU).");
        }

        int count = torch.cuda.device_count();
        if (index >= count)
        {
            throw new TorchUnavailableException($"Device '{name}' asked for, but only {count} CUDA device(s) exist.");
        }

        return new Device(DeviceType.CUDA, index);
    }

    private static void Load()
    {
        // Before libtorch's OpenMP runtime is loaded: idle OpenMP threads then sleep instead of spinning, which on a busy
        // 2-core machine otherwise made steps 10-100× slower. A value set by the user wins (overwrite = 0).
        if (OperatingSystem.IsLinux())
        {
            _ = SetEnvironment("OMP_WAIT_POLICY", "PASSIVE", 0);
            string? bridge = FindBridge();
            if (bridge is null)
            {
                throw new TorchUnavailableException(
                    $"TorchSharp backend: {BridgeName} is not in the application folder {AppContext.BaseDirectory} (was the TorchSharp package restored and copied?).");
            }

            string folder = Path.GetDirectoryName(bridge)!;
            if (!File.Exists(Path.Combine(folder, "libtorch_cpu.so")))
            {
                throw new TorchUnavailableException(
                    $"TorchSharp backend: no libtorch beside {bridge}: this build has no libtorch runtime package (build with -p:TorchRuntime=cpu or cuda).");
            }

            try
            {
                // Loaded by path, so its RUNPATH ($ORIGIN) finds libtorch beside it; TorchSharp reuses this handle later.
                NativeLibrary.Load(bridge);
            }
            catch (DllNotFoundException e)
            {
                string why = e.Message.ReplaceLineEndings(" ");
                string hint = why.Contains("GLIBCXX", StringComparison.Ordinal)
                    ? " This system's libstdc++ is older than the one libtorch's bridge was built for; the build step PatchTorchSharpNativeAfterBuild fixes the copy in the output folder (rebuild), or use a distribution with GCC 13+ libstdc++."
                    : "";
                throw new TorchUnavailableException($"TorchSharp backend: the native library does not load: {why}.{hint}", e);
            }
        }

        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
        }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or NotSupportedException or ExternalException)
        {
            throw new TorchUnavailableException($"TorchSharp backend: libtorch failed to initialise: {Innermost(e).Message.ReplaceLineEndings(" ")}", e);
        }

        try
        {
            // One inter-op thread: the pipeline runs one model call at a time per process. Must precede any parallel work.
            torch.set_num_interop_threads(1);
        }
        catch (ExternalException)
        {
            // Already fixed by earlier parallel work in this process: harmless.
        }
    }

    private static string? FindBridge()
    {
        string[] folders =
        [
            Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native"),
            AppContext.BaseDirectory,
            Path.Combine(Path.GetDirectoryName(typeof(torch).Assembly.Location) ?? AppContext.BaseDirectory, "runtimes", "linux-x64", "native"),
        ];
        return folders.Select(f => Path.Combine(f, BridgeName)).FirstOrDefault(File.Exists);
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnvironment(string name, string value, int overwrite);
}
