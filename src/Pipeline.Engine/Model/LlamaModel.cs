// The Llama-style decoder in pure C#: flat parameters with HF-named views, activations kept for one (B, T) shape and
// reused across steps, forward and backward composed from the layer kernels, HF folder load and save.
// Shape key: B batch, T time, C channels, H heads, Hkv kv heads, D head size, V vocab, F ffn size; N = B·T rows,
// S = (H + 2·Hkv)·D fused q|k|v width.
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pipeline.Engine.Checkpoints;
using Pipeline.Engine.Layers;
using Pipeline.Engine.Training;

namespace Pipeline.Engine.Model;

/// <summary>
/// Decoder-only Llama / Qwen2-style transformer computed in float32 on the CPU. Sequences start at position 0 (pad on
/// the right, with negative targets). One pass at a time: an instance is not safe for concurrent use.
/// </summary>
public sealed unsafe class LlamaModel : ICausalLanguageModel
{
    /// <summary>File name of the weights inside a model folder.</summary>
    public const string WeightsFileName = "model.safetensors";

    private readonly ParameterLayout _layout;
    private readonly float[] _parameters;
    private readonly float[] _gradients;
    private readonly RopeTable? _rope;
    private Activations? _acts;
    private int _batch;
    private int _time;
    private bool _hasTargets;
    private bool _logitsConsumed;

    private LlamaModel(ModelConfig config)
    {
        config.Validate();
        Config = config;
        _layout = new ParameterLayout(config);
        _parameters = GC.AllocateArray<float>(_layout.Count, pinned: true);
        _gradients = GC.AllocateArray<float>(_layout.Count, pinned: true);
        if (config.PositionEncoding == PositionEncoding.Rope)
        {
            _rope = new RopeTable(config.HeadDim, config.RopeTheta, config.MaxPositionEmbeddings);
        }
    }

    /// <inheritdoc />
    public ModelConfig Config { get; }

    /// <summary>Offsets of every tensor in <see cref="Parameters"/>, for engine code that runs the layers itself.</summary>
    internal ParameterLayout Layout => _layout;

    /// <summary>Rotary cos/sin table for positions up to max_position_embeddings; null without positional encoding.</summary>
    internal RopeTable? RopeTable => _rope;

    /// <inheritdoc />
    public Span<float> Parameters => _parameters;

    /// <inheritdoc />
    public Span<float> Gradients => _gradients;

    /// <inheritdoc />
    public IReadOnlyList<ParameterTensor> Tensors => _layout.Tensors;

    /// <inheritdoc />
    public ReadOnlySpan<float> Logits
    {
        get
        {
            if (_acts is null || _logitsConsumed)
            {
                throw new InvalidOperationException("No logits: run a forward pass (Backward reuses the logits memory).");
            }

            return _acts.Logits.AsSpan(0, _batch * _time * Config.VocabSize);
        }
    }

    /// <summary>A model with fresh weights: normal(0, 0.02) matrices, zero biases, unit norm weights.</summary>
    public static LlamaModel Create(ModelConfig config, ulong seed)
    {
        var model = new LlamaModel(config);
        var random = new SeededRandom(seed);
        foreach (ParameterTensor tensor in model.Tensors)
        {
            Span<float> view = model._parameters.AsSpan(tensor.Offset, tensor.Length);
            if (tensor.Name.EndsWith("norm.weight", StringComparison.Ordinal))
            {
                view.Fill(1f);
            }
            else if (tensor.IsVector)
            {
                view.Clear();
            }
            else
            {
                random.FillNormal(view, 0f, 0.02f);
            }
        }

        return model;
    }

    /// <summary>
    /// Loads an HF model folder: <c>config.json</c> plus <c>model.safetensors</c> (or shards listed in
    /// <c>model.safetensors.index.json</c>). F32, F16 and BF16 weights are read into float32.
    /// </summary>
    public static LlamaModel Load(string directory)
    {
        var model = new LlamaModel(ModelConfig.Load(Path.Combine(directory, "config.json")));
        var files = WeightFiles(directory);
        var readers = files.Select(SafeTensorsReader.Open).ToList();
        try
        {
            var owner = new Dictionary<string, SafeTensorsReader>(StringComparer.Ordinal);
            foreach (SafeTensorsReader reader in readers)
            {
                foreach (string name in reader.Entries.Keys)
                {
                    owner[name] = reader;
                }
            }

            var expected = model.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
            var unexpected = owner.Keys.Where(n => !expected.ContainsKey(n) && !IsIgnorable(n, model.Config)).ToList();
            var missing = expected.Keys.Where(n => !owner.ContainsKey(n)).ToList();
            if (unexpected.Count > 0 || missing.Count > 0)
            {
                string weights = files.Count == 1 ? files[0] : $"{directory} ({files.Count} safetensors files)";
                throw new InvalidDataException($"{weights}: the tensors do not match config.json."
                    + (missing.Count > 0 ? $" Missing {missing.Count}: {FirstFew(missing)}." : "")
                    + (unexpected.Count > 0 ? $" Unexpected {unexpected.Count}: {FirstFew(unexpected)}." : ""));
            }

            foreach (ParameterTensor tensor in model.Tensors)
            {
                SafeTensorsReader reader = owner[tensor.Name];
                int[] stored = reader.Entries[tensor.Name].Shape;
                if (!stored.AsSpan().SequenceEqual(tensor.Shape))
                {
                    throw new InvalidDataException(
                        $"{reader.Path}: tensor '{tensor.Name}' has shape [{string.Join(", ", stored)}], config needs [{string.Join(", ", tensor.Shape)}].");
                }

                Span<float> values = model._parameters.AsSpan(tensor.Offset, tensor.Length);
                reader.ReadInto(tensor.Name, values);
                RequireFinite(values, reader.Path, tensor.Name);
            }
        }
        finally
        {
            readers.ForEach(r => r.Dispose());
        }

        return model;
    }

    /// <summary>Writes <c>config.json</c> and an F32 <c>model.safetensors</c> with HF names (no lm_head when tied).</summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        Config.Save(Path.Combine(directory, "config.json"));
        SafeTensorsWriter.Write(Path.Combine(directory, WeightsFileName),
            Tensors.Select(t => new SafeTensorsTensor(t.Name, t.Shape, _parameters.AsMemory(t.Offset, t.Length))).ToList());
    }

    /// <summary>The parameter view named <paramref name="name"/> (HF name).</summary>
    public Span<float> Parameter(string name) => View(_parameters, name);

    /// <summary>The gradient view named <paramref name="name"/> (HF name).</summary>
    public Span<float> Gradient(string name) => View(_gradients, name);

    /// <inheritdoc />
    public void ZeroGrad() => Array.Clear(_gradients);

    /// <inheritdoc />
    public ReadOnlySpan<float> Forward(ReadOnlySpan<int> tokens, int batch, int time)
    {
        RunForward(tokens, default, batch, time, default);
        return Logits;
    }

    /// <inheritdoc />
    public void ForwardLogProbs(ReadOnlySpan<int> tokens, ReadOnlySpan<int> targets, int batch, int time, Span<float> logProbs)
    {
        if (targets.Length != batch * time || logProbs.Length != batch * time)
        {
            throw new ArgumentException($"targets and logProbs must hold B·T = {batch * time} entries.");
        }

        for (int i = 0; i < targets.Length; i++)
        {
            if (targets[i] >= Config.VocabSize)
            {
                throw new ArgumentOutOfRangeException(nameof(targets), $"Target {targets[i]} at position {i} is outside the vocabulary [0, {Config.VocabSize}).");
            }
        }

        RunForward(tokens, targets, batch, time, logProbs);
    }

    /// <inheritdoc />
    public void Backward(ReadOnlySpan<float> dLogProbs)
    {
        if (_acts is null || !_hasTargets || _logitsConsumed)
        {
            throw new InvalidOperationException("Backward needs a ForwardLogProbs call first (once per forward).");
        }

        int n = _batch * _time;
        if (dLogProbs.Length != n)
        {
            throw new ArgumentException($"dLogProbs must hold B·T = {n} entries.", nameof(dLogProbs));
        }

        Activations a = _acts;
        ModelConfig cfg = Config;
        int c = cfg.HiddenSize, f = cfg.IntermediateSize, v = cfg.VocabSize, s = cfg.QkvSize;
        int h = cfg.NumHeads, hkv = cfg.NumKeyValueHeads, d = cfg.HeadDim, hd = h * d;
        dLogProbs.CopyTo(a.DLogProbs);
        _logitsConsumed = true;
        float* p = Ptr(_parameters);
        float* g = Ptr(_gradients);

        // Head: logits become dlogits in place; then the final norm.
        LogSoftmax.Backward(Ptr(a.Logits), Ptr(a.Lse), Ptr(a.DLogProbs), IntPtr(a.Targets), n, v);
        Linear.Backward(Ptr(a.DNormed), g + _layout.LmHead, null, Ptr(a.Logits), Ptr(a.FinalNormed), p + _layout.LmHead, n, c, v);
        float* dResidual = Ptr(a.DResidual);
        new Span<float>(dResidual, n * c).Clear();
        RmsNorm.Backward(dResidual, g + _layout.FinalNorm, Ptr(a.DNormed), Ptr(a.Residual[cfg.NumLayers]), Ptr(a.FinalRstd),
            p + _layout.FinalNorm, n, c);

        for (int l = cfg.NumLayers - 1; l >= 0; l--)
        {
            LayerOffsets o = _layout.Layers[l];
            LayerActivations la = a.Layers[l];

            // MLP: residual[l+1] = mid + down(swiglu(gate_up(norm2(mid)))). dResidual holds d residual[l+1].
            SwiGlu.Forward(Ptr(a.Hidden), Ptr(la.GateUp), n, f);
            Linear.Backward(Ptr(a.DHidden), g + o.DownWeight, null, dResidual, Ptr(a.Hidden), p + o.DownWeight, n, f, c);
            SwiGlu.Backward(Ptr(a.DGateUp), Ptr(a.DHidden), Ptr(la.GateUp), n, f);
            Linear.Backward(Ptr(a.DNormed), g + o.GateUpWeight, null, Ptr(a.DGateUp), Ptr(la.Normed2), p + o.GateUpWeight, n, c, 2 * f);
            RmsNorm.Backward(dResidual, g + o.PostAttentionNorm, Ptr(a.DNormed), Ptr(la.Mid), Ptr(la.Rstd2), p + o.PostAttentionNorm, n, c);

            // Attention: mid = residual[l] + o_proj(attn(rope(qkv(norm1(residual[l]))))). dResidual holds d mid.
            Linear.Backward(Ptr(a.DAttnOut), g + o.OutputWeight, o.OutputBias >= 0 ? g + o.OutputBias : null, dResidual,
                Ptr(la.AttnOut), p + o.OutputWeight, n, hd, c);
            Attention.Backward(Ptr(a.DQkv), Ptr(a.DAttnOut), Ptr(la.Qkv), Ptr(la.AttentionLse), Ptr(a.AttentionScratch),
                _batch, _time, h, hkv, d);
            if (_rope is not null)
            {
                Rope.Apply(Ptr(a.DQkv), n, _time, s, h + hkv, _rope, 0, inverse: true);
            }

            Linear.Backward(Ptr(a.DNormed), g + o.QkvWeight, o.QkvBias >= 0 ? g + o.QkvBias : null, Ptr(a.DQkv), Ptr(la.Normed1),
                p + o.QkvWeight, n, c, s);
            RmsNorm.Backward(dResidual, g + o.InputNorm, Ptr(a.DNormed), Ptr(a.Residual[l]), Ptr(la.Rstd1), p + o.InputNorm, n, c);
        }

        Embedding.Backward(g + _layout.Embedding, dResidual, a.Tokens.AsSpan(0, n), c);
    }

    private void RunForward(ReadOnlySpan<int> tokens, ReadOnlySpan<int> targets, int batch, int time, Span<float> logProbs)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(time);
        if (tokens.Length != batch * time)
        {
            throw new ArgumentException($"tokens must hold B·T = {batch * time} entries.", nameof(tokens));
        }

        if (time > Config.MaxPositionEmbeddings)
        {
            throw new ArgumentOutOfRangeException(nameof(time), $"T = {time} exceeds max_position_embeddings = {Config.MaxPositionEmbeddings}.");
        }

        ModelConfig cfg = Config;
        int n = batch * time;
        int c = cfg.HiddenSize, f = cfg.IntermediateSize, v = cfg.VocabSize, s = cfg.QkvSize;
        int h = cfg.NumHeads, hkv = cfg.NumKeyValueHeads, d = cfg.HeadDim;
        _acts ??= new Activations(cfg);
        Activations a = _acts;
        a.Ensure(batch, time);
        _batch = batch;
        _time = time;
        _hasTargets = !targets.IsEmpty;
        _logitsConsumed = false;
        tokens.CopyTo(a.Tokens);
        float* p = Ptr(_parameters);

        Embedding.Forward(Ptr(a.Residual[0]), tokens, p + _layout.Embedding, v, c);
        for (int l = 0; l < cfg.NumLayers; l++)
        {
            LayerOffsets o = _layout.Layers[l];
            LayerActivations la = a.Layers[l];
            float* input = Ptr(a.Residual[l]);
            float* mid = Ptr(la.Mid);
            float* output = Ptr(a.Residual[l + 1]);

            RmsNorm.Forward(Ptr(la.Normed1), Ptr(la.Rstd1), input, p + o.InputNorm, n, c, cfg.RmsNormEps);
            Linear.Forward(Ptr(la.Qkv), Ptr(la.Normed1), p + o.QkvWeight, o.QkvBias >= 0 ? p + o.QkvBias : null, n, c, s);
            if (_rope is not null)
            {
                Rope.Apply(Ptr(la.Qkv), n, time, s, h + hkv, _rope, 0, inverse: false);
            }

            Attention.Forward(Ptr(la.AttnOut), Ptr(la.AttentionLse), Ptr(la.Qkv), Ptr(a.AttentionScratch), batch, time, h, hkv, d);
            new ReadOnlySpan<float>(input, n * c).CopyTo(new Span<float>(mid, n * c));
            Linear.Forward(mid, Ptr(la.AttnOut), p + o.OutputWeight, o.OutputBias >= 0 ? p + o.OutputBias : null, n, h * d, c,
                accumulate: true);

            RmsNorm.Forward(Ptr(la.Normed2), Ptr(la.Rstd2), mid, p + o.PostAttentionNorm, n, c, cfg.RmsNormEps);
            Linear.Forward(Ptr(la.GateUp), Ptr(la.Normed2), p + o.GateUpWeight, null, n, c, 2 * f);
            SwiGlu.Forward(Ptr(a.Hidden), Ptr(la.GateUp), n, f);
            new ReadOnlySpan<float>(mid, n * c).CopyTo(new Span<float>(output, n * c));
            Linear.Forward(output, Ptr(a.Hidden), p + o.DownWeight, null, n, f, c, accumulate: true);
        }

        RmsNorm.Forward(Ptr(a.FinalNormed), Ptr(a.FinalRstd), Ptr(a.Residual[cfg.NumLayers]), p + _layout.FinalNorm, n, c, cfg.RmsNormEps);
        Linear.Forward(Ptr(a.Logits), Ptr(a.FinalNormed), p + _layout.LmHead, null, n, c, v);
        if (_hasTargets)
        {
            targets.CopyTo(a.Targets);
            fixed (float* lp = logProbs)
            {
                LogSoftmax.Forward(lp, Ptr(a.Lse), Ptr(a.Logits), IntPtr(a.Targets), n, v);
            }
        }
    }

    private Span<float> View(float[] array, string name)
    {
        foreach (ParameterTensor t in Tensors)
        {
            if (t.Name == name)
            {
                return array.AsSpan(t.Offset, t.Length);
            }
        }

        throw new KeyNotFoundException($"No parameter named '{name}'.");
    }

    /// <summary>
    /// Refuses weights that are not finite: a NaN or infinity in any weight makes every output NaN, which would otherwise
    /// surface far from its cause (a NaN score after a whole evaluation).
    /// </summary>
    private static void RequireFinite(ReadOnlySpan<float> values, string path, string tensor)
    {
        // The sum is finite for finite weights of any sane size; only when it is not is the tensor searched.
        if (float.IsFinite(TensorPrimitives.Sum(values)))
        {
            return;
        }

        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                string what = float.IsNaN(values[i]) ? "NaN" : "an infinity";
                int count = 0;
                foreach (float v in values)
                {
                    if (!float.IsFinite(v)) count++;
                }

                throw new InvalidDataException(
                    $"{path}: tensor '{tensor}' holds {what} at element {i} ({count} of its {values.Length} values are not finite); the weights are corrupt.");
            }
        }
    }

    private static string FirstFew(List<string> names) =>
        names.Count <= 3 ? string.Join(", ", names) : $"{string.Join(", ", names.Take(3))} and {names.Count - 3} more";

    private static bool IsIgnorable(string name, ModelConfig config) =>
        name.EndsWith("rotary_emb.inv_freq", StringComparison.Ordinal)
        || (config.TieWordEmbeddings && name == "lm_head.weight");

    private static List<string> WeightFiles(string directory)
    {
        string single = Path.Combine(directory, WeightsFileName);
        if (File.Exists(single))
        {
            return [single];
        }

        if (Directory.Exists(single))
        {
            throw new InvalidDataException($"{single} is a folder; expected a safetensors file.");
        }

        string index = Path.Combine(directory, WeightsFileName + ".index.json");
        if (File.Exists(index))
        {
            JsonNode? root;
            try
            {
                root = JsonNode.Parse(File.ReadAllText(index));
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{index}: not valid JSON (line {e.LineNumber + 1}).", e);
            }

            if (root?["weight_map"] is not JsonObject map || map.Count == 0)
            {
                throw new InvalidDataException($"{index}: no weight_map naming the safetensors files.");
            }

            var shards = map.Select(kv => kv.Value is JsonValue value && value.TryGetValue(out string? file) ? Path.Combine(directory, file)
                : throw new InvalidDataException($"{index}: weight_map entry '{kv.Key}' is not a file name.")).Distinct().ToList();
            if (shards.FirstOrDefault(f => !File.Exists(f)) is { } absent)
            {
                throw new FileNotFoundException($"{index} names {Path.GetFileName(absent)}, which does not exist.");
            }

            return shards;
        }

        throw new FileNotFoundException($"{directory}: neither {WeightsFileName} nor {WeightsFileName}.index.json found.");
    }

    /// <summary>Address of a pinned array's first element.</summary>
    private static float* Ptr(float[] array) => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));

    private static int* IntPtr(int[] array) => (int*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
}
