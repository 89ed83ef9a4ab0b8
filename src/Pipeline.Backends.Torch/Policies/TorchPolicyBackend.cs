// The TorchSharp backend as the stages see it (IPolicyBackend "torch"): policies and trainers on libtorch, on the
// device and thread count of its TorchOptions. Chosen per campaign (`backend: torch`) and per command.
using Pipeline.Learning.Policies;
using Pipeline.Learning.Updates;

namespace Pipeline.Backends.Torch.Policies;

/// <summary>Policies on libtorch through TorchSharp.</summary>
/// <param name="options">Device, threads and compute type; defaults to the CPU with every core.</param>
public sealed class TorchPolicyBackend(TorchOptions? options = null) : IPolicyBackend
{
    /// <summary>The backend's name.</summary>
    public const string BackendName = "torch";

    /// <summary>Device, threads and compute type of every policy this backend loads.</summary>
    public TorchOptions Options { get; } = options ?? new TorchOptions();

    /// <inheritdoc />
    public string Name => BackendName;

    /// <inheritdoc />
    /// <exception cref="Runtime.TorchUnavailableException">libtorch does not load here, or the device does not exist.</exception>
    public IPolicy Load(string modelFolder) => TorchPolicy.Load(modelFolder, Options);

    /// <inheritdoc />
    public IPolicyTrainer StartTraining(string modelFolder, TrainingOptions options, ulong seed) =>
        TorchPolicyTrainer.Start(modelFolder, options, seed, Options);

    /// <inheritdoc />
    public IPolicyTrainer ResumeTraining(string trainerFolder) => TorchPolicyTrainer.Resume(trainerFolder, Options);
}
