// A policy loaded into libtorch (IPolicy): batched sampling with per-token statistics, teacher-forced statistics and
// log-probs of given responses, and saving in HF layout; the same operations, with the same meanings, as the managed
// engine's ManagedPolicy. The tokenizer stays the caller's, as with the managed backend.
// Shape key: B sequences per pass, T columns, V vocab, N scored tokens.
using Pipeline.Backends.Torch.Model;
using Pipeline.Backends.Torch.Sampling;
using Pipeline.Engine.Model;
using Pipeline.Engine.Sampling;
using Pipeline.Learning.Policies;
using Pipeline.Learning.Updates;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Backends.Torch.Policies;

/// <summary>A Llama / Qwen2 policy held by libtorch on one device. Not thread-safe.</summary>
public sealed class TorchPolicy : IPolicy
{
    private readonly TorchGenerator _generator;

    internal TorchPolicy(TorchLlama model, TorchOptions options)
    {
        Model = model;
        Options = options;
        _generator = new TorchGenerator(model);
    }

    /// <inheritdoc />
    public ModelConfig Config => Model.Config;

    /// <summary>Device, threads and compute type.</summary>
    public TorchOptions Options { get; }

    /// <summary>The device the weights live on, e.g. <c>cpu</c> or <c>cuda:0</c>.</summary>
    public string Device => Model.Device.ToString();

    /// <summary>The libtorch model (weights are trained in place by a trainer that owns this policy).</summary>
    internal TorchLlama Model { get; }

    /// <summary>Loads an HF folder (config.json, model.safetensors or shards) onto the configured device.</summary>
    /// <exception cref="Runtime.TorchUnavailableException">libtorch does not load here, or the device does not exist.</exception>
    public static TorchPolicy Load(string modelFolder, TorchOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelFolder);
        options ??= new TorchOptions();
        (Device device, ScalarType computeType) = options.Prepare();
        return new TorchPolicy(TorchLlama.Load(modelFolder, device, computeType), options);
    }

    /// <inheritdoc />
    /// <remarks>
    /// The managed Generator's semantics: temperature, top-k, top-p, stop tokens, statistics at the sampling temperature,
    /// the policy's log-probs at τ = 1, prompt i drawing from the stream of firstSequenceIndex + i.
    /// </remarks>
    public IReadOnlyList<GeneratedSequence> Generate(IReadOnlyList<int[]> prompts, SamplingOptions options, long firstSequenceIndex = 0) =>
        _generator.Generate(prompts, options, firstSequenceIndex);

    /// <inheritdoc />
    public TokenStatistics[][] Statistics(IReadOnlyList<PromptResponse> sequences, float temperature, int microBatchSize)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        if (!(temperature > 0f) || float.IsInfinity(temperature))
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The temperature must be positive and finite.");
        }

        var result = new List<TokenStatistics[]>(sequences.Count);
        foreach (SequenceBatch batch in Batches(sequences, microBatchSize))
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            (Tensor tokens, Tensor targets) = Inputs(batch);
            Tensor positions = targets.reshape(-1).ge(0).nonzero().view(-1);
            Tensor logits = Model.Logits(tokens).reshape(-1, Config.VocabSize).index_select(0, positions);
            TokenStatistics[] flat = TorchTokenStatistics.Compute(logits, targets.reshape(-1).index_select(0, positions), temperature);
            // Response positions in row-major order are each row's response tokens in order, rows one after another.
            int at = 0;
            for (int b = 0; b < batch.BatchSize; b++)
            {
                int length = batch.ResponseLength(b);
                result.Add(flat[at..(at + length)]);
                at += length;
            }
        }

        return [.. result];
    }

    /// <inheritdoc />
    public float[][] LogProbs(IReadOnlyList<PromptResponse> sequences, int microBatchSize)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        var result = new List<float[]>(sequences.Count);
        foreach (SequenceBatch batch in Batches(sequences, microBatchSize))
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            (Tensor tokens, Tensor targets) = Inputs(batch);
            float[] logProbs = Model.LogProbs(tokens, targets).cpu().data<float>().ToArray();
            result.AddRange(batch.ResponseLogProbs(logProbs));
        }

        return [.. result];
    }

    /// <inheritdoc />
    /// <remarks>Weights are written as F32 with HF names (no lm_head when tied), as the managed engine writes them.</remarks>
    public void Save(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        Model.Save(folder);
    }

    /// <inheritdoc />
    public void Dispose() => Model.Dispose();

    /// <summary>The batch's tokens and targets [B, T] as int64 tensors on the model's device (ids checked against V).</summary>
    internal (Tensor Tokens, Tensor Targets) Inputs(SequenceBatch batch)
    {
        int vocab = Config.VocabSize;
        ReadOnlySpan<int> ids = batch.Tokens;
        var tokens = new long[ids.Length];
        for (int i = 0; i < ids.Length; i++)
        {
            if ((uint)ids[i] >= (uint)vocab)
            {
                throw new ArgumentOutOfRangeException(nameof(batch),
                    $"Token {ids[i]} at [{i / batch.Time}, {i % batch.Time}] is outside the vocabulary [0, {vocab}).");
            }

            tokens[i] = ids[i];
        }

        ReadOnlySpan<int> next = batch.Targets;
        var targets = new long[next.Length];
        for (int i = 0; i < next.Length; i++)
        {
            if (next[i] >= vocab)
            {
                throw new ArgumentOutOfRangeException(nameof(batch), $"Target {next[i]} is outside the vocabulary [0, {vocab}).");
            }

            targets[i] = next[i];
        }

        long[] shape = [batch.BatchSize, batch.Time];
        return (torch.tensor(tokens, shape).to(Model.Device), torch.tensor(targets, shape).to(Model.Device));
    }

    private static IEnumerable<SequenceBatch> Batches(IReadOnlyList<PromptResponse> sequences, int microBatchSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(microBatchSize);
        for (int start = 0; start < sequences.Count; start += microBatchSize)
        {
            yield return SequenceBatch.Pack(sequences.Skip(start).Take(microBatchSize).ToList());
        }
    }
}
