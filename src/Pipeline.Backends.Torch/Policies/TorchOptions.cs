// Where and how the TorchSharp backend runs: the device (cpu, cuda, cuda:N), libtorch's intra-op threads and whether
// CUDA products run in bf16. Batch sizes come with each call (SamplingOptions.MaxBatchSize, the micro-batch size).
using Pipeline.Backends.Torch.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Backends.Torch.Policies;

/// <summary>Settings of the TorchSharp backend; the defaults suit a CPU worker.</summary>
public sealed record TorchOptions
{
    /// <summary><c>cpu</c>, <c>cuda</c> (device 0) or <c>cuda:N</c>.</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>libtorch intra-op threads (one process-wide setting: the last policy loaded sets it).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Products and attention in bfloat16 with fp32 master weights, norms and softmax (a hand-made autocast). Null means
    /// on for CUDA, off for the CPU.
    /// </summary>
    public bool? Bfloat16 { get; init; }

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Device, nameof(Device));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Threads, nameof(Threads));
    }

    /// <summary>Loads libtorch (once), sets its threads and resolves the device and the compute type.</summary>
    internal (Device Device, ScalarType ComputeType) Prepare()
    {
        Validate();
        TorchRuntime.Initialize(Threads);
        Device device = TorchRuntime.ResolveDevice(Device);
        bool bf16 = Bfloat16 ?? device.type == DeviceType.CUDA;
        return (device, bf16 ? ScalarType.BFloat16 : ScalarType.Float32);
    }
}
