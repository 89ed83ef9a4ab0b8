// Where policies come from: a backend loads HF model folders for inference and starts or resumes training on them. The
// managed engine is one backend; others (libtorch) plug in by name, chosen per campaign and per command.
using Pipeline.Learning.Updates;

namespace Pipeline.Learning.Policies;

/// <summary>A model implementation that policies can run on.</summary>
public interface IPolicyBackend
{
    /// <summary>The name campaigns and commands choose it by (<c>managed</c>, <c>torch</c>).</summary>
    string Name { get; }

    /// <summary>Loads the model of an HF folder (config.json, model.safetensors) for inference.</summary>
    /// <exception cref="InvalidDataException">The folder's files are malformed; the message names the file.</exception>
    IPolicy Load(string modelFolder);

    /// <summary>Starts training the model of <paramref name="modelFolder"/> from step 0, the generator seeded by <paramref name="seed"/>.</summary>
    IPolicyTrainer StartTraining(string modelFolder, TrainingOptions options, ulong seed);

    /// <summary>Restores a trainer saved by <see cref="IPolicyTrainer.Save"/>.</summary>
    IPolicyTrainer ResumeTraining(string trainerFolder);
}
