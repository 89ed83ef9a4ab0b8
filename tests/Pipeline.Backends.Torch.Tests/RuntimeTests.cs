// Loading libtorch on this machine (Debian 12 needs the build step's fix of libLibTorchSharp.so) and device names.
using Pipeline.Backends.Torch.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Backends.Torch.Tests;

public sealed class RuntimeTests
{
    [Fact]
    public void Initialize_ThisMachine_LibtorchComputes()
    {
        TorchRuntime.Initialize(1);

        using var scope = NewDisposeScope();
        float sum = (torch.ones(3, 4) * 2).sum().item<float>();
        Assert.Equal(24f, sum);
        Assert.Equal(1, torch.get_num_threads());
        Assert.True(TorchRuntime.TryInitialize(out string? reason), reason);
    }

    [Fact]
    public void ResolveDevice_Cpu_IsTheCpu()
    {
        TorchRuntime.Initialize(1);

        Assert.Equal(DeviceType.CPU, TorchRuntime.ResolveDevice(" CPU ").type);
    }

    [Theory]
    [InlineData("cuda")]
    [InlineData("cuda:1")]
    public void ResolveDevice_CudaWithoutGpu_ThrowsOneLineReason(string name)
    {
        TorchRuntime.Initialize(1);
        if (torch.cuda.is_available())
        {
            return; // A GPU machine: the device exists, nothing to refuse.
        }

        var error = Assert.Throws<TorchUnavailableException>(() => TorchRuntime.ResolveDevice(name));
        Assert.Contains("CUDA", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:x")]
    [InlineData("cuda:-1")]
    public void ResolveDevice_UnknownName_ThrowsArgumentException(string name)
    {
        TorchRuntime.Initialize(1);

        Assert.Throws<ArgumentException>(() => TorchRuntime.ResolveDevice(name));
    }

    [Fact]
    public void OutputCopy_OfTheNativeBridge_HasNoHardLinkIntoThePackageCache()
    {
        // The build step rewrites libLibTorchSharp.so through a rename, so the output copy is its own file: patching
        // never reaches the NuGet cache (a hard link would share the inode and so the patch).
        string bridge = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(bridge), bridge);
        var info = new FileInfo(bridge);
        Assert.Equal(1, LinkCount(info.FullName));
    }

    private static long LinkCount(string path)
    {
        var start = new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%h", path]) { RedirectStandardOutput = true };
        using var process = System.Diagnostics.Process.Start(start)!;
        string text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return long.Parse(text.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
