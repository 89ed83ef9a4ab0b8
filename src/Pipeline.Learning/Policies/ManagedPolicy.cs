// The managed engine as a policy: LlamaModel for the passes, its KV-cache Generator for sampling.
using Pipeline.Engine.Model;
using Pipeline.Engine.Sampling;
using Pipeline.Learning.Updates;

namespace Pipeline.Learning.Policies;

/// <summary>An <see cref="IPolicy"/> over a <see cref="LlamaModel"/> (shared with a trainer, if one trains it).</summary>
public sealed class ManagedPolicy(LlamaModel model) : IPolicy
{
    private readonly Generator _generator = new(model);

    /// <summary>The engine model.</summary>
    public LlamaModel Model => model;

    /// <inheritdoc />
    public ModelConfig Config => model.Config;

    /// <inheritdoc />
    public IReadOnlyList<GeneratedSequence> Generate(IReadOnlyList<int[]> prompts, SamplingOptions options, long firstSequenceIndex = 0) =>
        _generator.Generate(prompts, options, firstSequenceIndex);

    /// <inheritdoc />
    public TokenStatistics[][] Statistics(IReadOnlyList<PromptResponse> sequences, float temperature, int microBatchSize) =>
        TeacherForcedScores.Statistics(model, sequences, temperature, microBatchSize);

    /// <inheritdoc />
    public float[][] LogProbs(IReadOnlyList<PromptResponse> sequences, int microBatchSize) =>
        TeacherForcedScores.LogProbs(model, sequences, microBatchSize);

    /// <inheritdoc />
    public void Save(string folder) => model.Save(folder);

    /// <inheritdoc />
    /// <remarks>Managed memory only: nothing to release.</remarks>
    public void Dispose()
    {
    }
}
