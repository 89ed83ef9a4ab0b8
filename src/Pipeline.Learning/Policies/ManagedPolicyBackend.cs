// The default backend: the project's own managed engine (CPU, fp32), fastest on the small models this machine trains.
using Pipeline.Engine.Model;
using Pipeline.Learning.Updates;

namespace Pipeline.Learning.Policies;

/// <summary>Policies on the managed engine (<see cref="LlamaModel"/>).</summary>
public sealed class ManagedPolicyBackend : IPolicyBackend
{
    /// <summary>The backend's name.</summary>
    public const string BackendName = "managed";

    /// <inheritdoc />
    public string Name => BackendName;

    /// <inheritdoc />
    public IPolicy Load(string modelFolder) => new ManagedPolicy(LlamaModel.Load(modelFolder));

    /// <inheritdoc />
    public IPolicyTrainer StartTraining(string modelFolder, TrainingOptions options, ulong seed) =>
        new PolicyTrainer(LlamaModel.Load(modelFolder), options, seed);

    /// <inheritdoc />
    public IPolicyTrainer ResumeTraining(string trainerFolder) => PolicyTrainer.Load(trainerFolder);
}
