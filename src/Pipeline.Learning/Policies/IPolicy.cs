// What the stages need from a policy model, whatever computes it (the managed engine, libtorch, a GPU): sampling with the
// per-token statistics of each draw, teacher-forced statistics and log-probs of given responses, and saving in HF layout.
// Backends implement this; Stages and the evaluator reach a model only through it.
using Pipeline.Engine.Model;
using Pipeline.Engine.Sampling;
using Pipeline.Learning.Updates;

namespace Pipeline.Learning.Policies;

/// <summary>A causal language model used as a policy. Not thread-safe: one caller at a time.</summary>
public interface IPolicy : IDisposable
{
    /// <summary>The model's hyper-parameters.</summary>
    ModelConfig Config { get; }

    /// <summary>
    /// One continuation per prompt, with the statistics of the distribution each token was drawn from (see
    /// <see cref="Generator.Generate"/> for the seeding rule: prompt i uses the stream of sequence
    /// <paramref name="firstSequenceIndex"/> + i, whatever the batch).
    /// </summary>
    IReadOnlyList<GeneratedSequence> Generate(IReadOnlyList<int[]> prompts, SamplingOptions options, long firstSequenceIndex = 0);

    /// <summary>
    /// Teacher-forced statistics of softmax(z / <paramref name="temperature"/>) for every response token of every
    /// sequence, in passes of at most <paramref name="microBatchSize"/> sequences.
    /// </summary>
    TokenStatistics[][] Statistics(IReadOnlyList<PromptResponse> sequences, float temperature, int microBatchSize);

    /// <summary>log p(response token | prompt, earlier tokens) at temperature 1, one array per sequence.</summary>
    float[][] LogProbs(IReadOnlyList<PromptResponse> sequences, int microBatchSize);

    /// <summary>Writes config.json and model.safetensors (HF layout) into <paramref name="folder"/>.</summary>
    void Save(string folder);
}
