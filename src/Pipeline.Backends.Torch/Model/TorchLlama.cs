// The Llama / Qwen2 decoder in libtorch: fp32 master weights as autograd leaves on one device (q|k|v and gate|up fused,
// so each group is one product, with HF-named row ranges for loading and saving), the full causal forward for training
// and scoring, and the prefill/decode halves of it that the key/value-cache generator runs. On CUDA the products and the
// attention run in bf16 (a hand-written autocast: TorchSharp 0.107 has none) while norms, softmax and the residual stream
// stay fp32. Weights are read and written with the project's own safetensors code (F32/F16/BF16 in, F32 out).
// Shape key: B batch, T time, C channels, H heads, Hkv kv heads, D head size, V vocab, F ffn size, S = (H + 2·Hkv)·D,
// L cache length.
using System.Text.Json.Nodes;
using Pipeline.Engine.Checkpoints;
using Pipeline.Engine.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Backends.Torch.Model;

/// <summary>One trainable tensor: an autograd leaf; vectors (norm weights, biases) may be exempt from weight decay.</summary>
internal sealed record TorchLeaf(string Name, Tensor Value, bool IsVector);

/// <summary>An HF-named tensor: rows [Row, Row + Shape[0]) of a leaf (a fused leaf holds several).</summary>
internal sealed record HfTensor(string Name, int[] Shape, TorchLeaf Leaf, long Row)
{
    /// <summary>Element count.</summary>
    public int Length => Shape.Aggregate(1, (a, b) => a * b);

    /// <summary>The view of the leaf (or its gradient, or a tensor shaped like it) that holds this tensor.</summary>
    public Tensor Of(Tensor whole) => whole.narrow(0, Row, Shape[0]);
}

/// <summary>Key/value cache of one generation call: per layer [B, Hkv, L, D] in the compute type.</summary>
internal sealed class KvCache(Tensor[] keys, Tensor[] values)
{
    public Tensor[] Keys { get; } = keys;

    public Tensor[] Values { get; } = values;
}

/// <summary>A Llama-style causal LM held as libtorch tensors. Not thread-safe.</summary>
internal sealed class TorchLlama : IDisposable
{
    private readonly List<TorchLeaf> _leaves = [];
    private readonly List<HfTensor> _tensors = [];
    private readonly Layer[] _layers;
    private readonly Tensor _embedding;
    private readonly Tensor _finalNorm;
    private readonly Tensor _lmHead;
    private readonly Tensor? _cos;
    private readonly Tensor? _sin;
    private bool _disposed;

    private TorchLlama(ModelConfig config, Device device, ScalarType computeType)
    {
        config.Validate();
        Config = config;
        Device = device;
        ComputeType = computeType;
        int c = config.HiddenSize, f = config.IntermediateSize, d = config.HeadDim, v = config.VocabSize;
        int qOut = config.NumHeads * d, kvOut = config.NumKeyValueHeads * d;

        // Same order as the managed engine's layout, so saved files list tensors alike.
        _embedding = AddLeaf("model.embed_tokens.weight", [v, c], [("model.embed_tokens.weight", v)]);
        _layers = new Layer[config.NumLayers];
        for (int l = 0; l < config.NumLayers; l++)
        {
            string p = $"model.layers.{l}.";
            Tensor qkv = AddLeaf(p + "self_attn.qkv.weight", [qOut + 2 * kvOut, c],
                [(p + "self_attn.q_proj.weight", qOut), (p + "self_attn.k_proj.weight", kvOut), (p + "self_attn.v_proj.weight", kvOut)]);
            Tensor? qkvBias = config.HasQkvBias
                ? AddLeaf(p + "self_attn.qkv.bias", [qOut + 2 * kvOut],
                    [(p + "self_attn.q_proj.bias", qOut), (p + "self_attn.k_proj.bias", kvOut), (p + "self_attn.v_proj.bias", kvOut)])
                : null;
            Tensor output = AddLeaf(p + "self_attn.o_proj.weight", [c, qOut], [(p + "self_attn.o_proj.weight", c)]);
            Tensor? outputBias = config.HasOutputBias ? AddLeaf(p + "self_attn.o_proj.bias", [c], [(p + "self_attn.o_proj.bias", c)]) : null;
            Tensor gateUp = AddLeaf(p + "mlp.gate_up.weight", [2 * f, c], [(p + "mlp.gate_proj.weight", f), (p + "mlp.up_proj.weight", f)]);
            Tensor down = AddLeaf(p + "mlp.down_proj.weight", [c, f], [(p + "mlp.down_proj.weight", c)]);
            Tensor norm1 = AddLeaf(p + "input_layernorm.weight", [c], [(p + "input_layernorm.weight", c)]);
            Tensor norm2 = AddLeaf(p + "post_attention_layernorm.weight", [c], [(p + "post_attention_layernorm.weight", c)]);
            _layers[l] = new Layer(qkv, qkvBias, output, outputBias, gateUp, down, norm1, norm2);
        }

        _finalNorm = AddLeaf("model.norm.weight", [c], [("model.norm.weight", c)]);
        _lmHead = config.TieWordEmbeddings ? _embedding : AddLeaf("lm_head.weight", [v, c], [("lm_head.weight", v)]);

        if (config.PositionEncoding == PositionEncoding.Rope)
        {
            (_cos, _sin) = RopeTables(config, device);
        }
    }

    /// <summary>The model's hyper-parameters.</summary>
    public ModelConfig Config { get; }

    /// <summary>Where the weights live and the maths runs.</summary>
    public Device Device { get; }

    /// <summary>Element type of products and attention: float32, or bfloat16 on CUDA.</summary>
    public ScalarType ComputeType { get; }

    /// <summary>The trainable leaves (fused where the forward fuses).</summary>
    public IReadOnlyList<TorchLeaf> Leaves => _leaves;

    /// <summary>The HF-named tensors, in the managed engine's order.</summary>
    public IReadOnlyList<HfTensor> Tensors => _tensors;

    /// <summary>Parameter count (a tied head counted once).</summary>
    public long ParameterCount => _leaves.Sum(l => l.Value.numel());

    /// <summary>Zero-initialised weights for <paramref name="config"/> on <paramref name="device"/>.</summary>
    public static TorchLlama Create(ModelConfig config, Device device, ScalarType? computeType = null) =>
        new(config, device, computeType ?? DefaultComputeType(device));

    /// <summary>bfloat16 products on CUDA (tensor cores), float32 elsewhere (the CPU has no fast bf16 path in general).</summary>
    public static ScalarType DefaultComputeType(Device device) =>
        device.type == DeviceType.CUDA ? ScalarType.BFloat16 : ScalarType.Float32;

    /// <summary>
    /// Loads an HF folder: config.json and model.safetensors or shards listed in model.safetensors.index.json; F32, F16
    /// and BF16 are read into fp32 through the project's reader. The names must match the config exactly (a tied head and
    /// rotary inv_freq buffers may be present and are ignored).
    /// </summary>
    public static TorchLlama Load(string folder, Device device, ScalarType? computeType = null)
    {
        var model = Create(ModelConfig.Load(Path.Combine(folder, "config.json")), device, computeType);
        try
        {
            model.LoadWeights(folder);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Copies every weight of <paramref name="source"/> (a managed model of the same config) into this one.</summary>
    public void CopyFrom(LlamaModel source)
    {
        if (source.Config != Config)
        {
            throw new ArgumentException("The managed model's config differs.", nameof(source));
        }

        foreach (ParameterTensor t in source.Tensors)
        {
            Write(Find(t.Name), source.Parameters.Slice(t.Offset, t.Length).ToArray());
        }
    }

    /// <summary>Writes config.json and an F32 model.safetensors with HF names (no lm_head when tied).</summary>
    public void Save(string folder)
    {
        Directory.CreateDirectory(folder);
        Config.Save(Path.Combine(folder, "config.json"));
        SafeTensorsWriter.Write(Path.Combine(folder, LlamaModel.WeightsFileName),
            _tensors.Select(t => new SafeTensorsTensor(t.Name, t.Shape, Read(t))).ToList());
    }

    /// <summary>The HF tensor named <paramref name="name"/>.</summary>
    public HfTensor Find(string name) =>
        _tensors.FirstOrDefault(t => t.Name == name) ?? throw new KeyNotFoundException($"No parameter named '{name}'.");

    /// <summary>Host copy of a tensor's values (row-major, HF shape).</summary>
    public float[] Read(HfTensor tensor) => ToArray(tensor.Of(tensor.Leaf.Value));

    /// <summary>Host copy of a tensor's gradient (zeros when none was computed).</summary>
    public float[] ReadGradient(HfTensor tensor)
    {
        using var scope = NewDisposeScope();
        return tensor.Leaf.Value.grad is { } grad ? ToArray(tensor.Of(grad)) : new float[tensor.Length];
    }

    /// <summary>Overwrites a tensor's values from a host array (row-major, HF shape).</summary>
    public void Write(HfTensor tensor, float[] values)
    {
        if (values.Length != tensor.Length)
        {
            throw new ArgumentException($"'{tensor.Name}' holds {tensor.Length} values, not {values.Length}.", nameof(values));
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long[] shape = tensor.Shape.Select(s => (long)s).ToArray();
        tensor.Of(tensor.Leaf.Value).copy_(torch.tensor(values, shape).to(Device));
    }

    /// <summary>Sets a tensor's gradient from a host array (row-major, HF shape), creating the leaf's gradient if absent.</summary>
    public void WriteGradient(HfTensor tensor, float[] values)
    {
        if (values.Length != tensor.Length)
        {
            throw new ArgumentException($"'{tensor.Name}' holds {tensor.Length} values, not {values.Length}.", nameof(values));
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Tensor leaf = tensor.Leaf.Value;
        if (leaf.grad is null)
        {
            leaf.grad = zeros_like(leaf);
        }

        tensor.Of(leaf.grad!).copy_(torch.tensor(values, tensor.Shape.Select(s => (long)s).ToArray()).to(Device));
    }

    /// <summary>Sets every gradient to zero (or leaves it absent).</summary>
    public void ZeroGrad()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (TorchLeaf leaf in _leaves)
        {
            leaf.Value.grad?.zero_();
        }
    }

    /// <summary>Logits [B, T, V] (fp32) of a full causal pass over <paramref name="tokens"/> [B, T] (int64), from position 0.</summary>
    public Tensor Logits(Tensor tokens)
    {
        long b = tokens.shape[0], t = tokens.shape[1];
        RequirePositions(t);
        Tensor x = Embed(tokens);
        (Tensor? cos, Tensor? sin) = RopeRows(0, t);
        for (int l = 0; l < _layers.Length; l++)
        {
            x = Block(x, _layers[l], cos, sin, (q, k, v) => CausalAttention(q, k, v));
        }

        return Head(x).view(b, t, Config.VocabSize);
    }

    /// <summary>
    /// log softmax(logits)[target] per position [B, T] (fp32, differentiable), 0 where the target is negative, as the managed
    /// engine's ForwardLogProbs defines it.
    /// </summary>
    public Tensor LogProbs(Tensor tokens, Tensor targets)
    {
        Tensor logits = Logits(tokens);
        Tensor picked = logits.gather(-1, targets.clamp_min(0).unsqueeze(-1)).squeeze(-1);
        Tensor logp = picked - logits.logsumexp(-1);
        return logp.masked_fill(targets.lt(0), 0.0);
    }

    /// <summary>A zeroed cache for <paramref name="batch"/> rows of up to <paramref name="length"/> positions.</summary>
    public KvCache NewCache(long batch, long length)
    {
        RequirePositions(length);
        long[] shape = [batch, Config.NumKeyValueHeads, length, Config.HeadDim];
        var keys = new Tensor[_layers.Length];
        var values = new Tensor[_layers.Length];
        for (int l = 0; l < _layers.Length; l++)
        {
            keys[l] = zeros(shape, ComputeType, Device);
            values[l] = zeros(shape, ComputeType, Device);
        }

        return new KvCache(keys, values);
    }

    /// <summary>
    /// Runs right-padded prompts <paramref name="tokens"/> [B, T] from position 0, storing keys and values at positions
    /// [0, T) of <paramref name="cache"/>; returns the logits [B, V] at each row's last prompt position
    /// <paramref name="lastPositions"/> [B]. Padding positions write garbage past a row's prompt that decoding overwrites
    /// before any query can see it (a query at position p attends to positions ≤ p only).
    /// </summary>
    public Tensor Prefill(Tensor tokens, Tensor lastPositions, KvCache cache)
    {
        long b = tokens.shape[0], t = tokens.shape[1];
        RequirePositions(t);
        Tensor x = Embed(tokens);
        (Tensor? cos, Tensor? sin) = RopeRows(0, t);
        for (int l = 0; l < _layers.Length; l++)
        {
            int layer = l;
            x = Block(x, _layers[l], cos, sin, (q, k, v) =>
            {
                cache.Keys[layer].narrow(2, 0, t).copy_(k);
                cache.Values[layer].narrow(2, 0, t).copy_(v);
                return CausalAttention(q, k, v);
            });
        }

        Tensor last = x.gather(1, lastPositions.view(b, 1, 1).expand(b, 1, Config.HiddenSize));
        return Head(last).view(b, Config.VocabSize);
    }

    /// <summary>
    /// One new token per row: <paramref name="tokens"/> [B] at <paramref name="positions"/> [B] (int64, each row its own),
    /// attending to the cache up to its own position; <paramref name="span"/> = max position + 1 bounds the keys read.
    /// Returns logits [B, V].
    /// </summary>
    public Tensor Decode(Tensor tokens, Tensor positions, long span, KvCache cache)
    {
        long b = tokens.shape[0];
        int hkv = Config.NumKeyValueHeads, d = Config.HeadDim, group = Config.NumHeads / hkv;
        Tensor x = Embed(tokens.view(b, 1));
        Tensor? cos = null, sin = null;
        if (_cos is not null)
        {
            // Per-row angles [B, 1, 1, D], broadcast over heads.
            cos = _cos.index_select(0, positions).view(b, 1, 1, d);
            sin = _sin!.index_select(0, positions).view(b, 1, 1, d);
        }

        Tensor slot = positions.view(b, 1, 1, 1).expand(b, hkv, 1, d);
        Tensor masked = arange(span, ScalarType.Int64, Device).view(1, 1, 1, span).gt(positions.view(b, 1, 1, 1));
        double scale = 1.0 / Math.Sqrt(d);
        for (int l = 0; l < _layers.Length; l++)
        {
            int layer = l;
            x = Block(x, _layers[l], cos, sin, (q, k, v) =>
            {
                Tensor keys = cache.Keys[layer], values = cache.Values[layer];
                keys.scatter_(2, slot, k.to(ComputeType));
                values.scatter_(2, slot, v.to(ComputeType));
                // Grouped heads without copying the cache: q [B, Hkv, group, D] against keys [B, Hkv, span, D].
                Tensor scores = q.to(ComputeType).reshape(b, hkv, group, d)
                    .matmul(keys.narrow(2, 0, span).transpose(2, 3)).to(ScalarType.Float32).mul_(scale);
                Tensor probs = nn.functional.softmax(scores.masked_fill_(masked, double.NegativeInfinity), -1);
                return probs.to(ComputeType).matmul(values.narrow(2, 0, span)).to(ScalarType.Float32).reshape(b, Config.NumHeads, 1, d);
            });
        }

        return Head(x).view(b, Config.VocabSize);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (TorchLeaf leaf in _leaves)
        {
            leaf.Value.Dispose();
        }

        _cos?.Dispose();
        _sin?.Dispose();
    }

    /// <summary>One decoder layer on x [B, T, C]; <paramref name="attend"/> maps q [B, H, T, D], k and v [B, Hkv, T, D] to [B, H, T, D].</summary>
    private Tensor Block(Tensor x, Layer w, Tensor? cos, Tensor? sin, Func<Tensor, Tensor, Tensor, Tensor> attend)
    {
        long b = x.shape[0], t = x.shape[1];
        int h = Config.NumHeads, hkv = Config.NumKeyValueHeads, d = Config.HeadDim, f = Config.IntermediateSize;
        Tensor qkv = Linear(RmsNorm(x, w.InputNorm), w.Qkv, w.QkvBias);
        Tensor q = qkv.narrow(-1, 0, h * d).view(b, t, h, d).transpose(1, 2);
        Tensor k = qkv.narrow(-1, h * d, hkv * d).view(b, t, hkv, d).transpose(1, 2);
        Tensor v = qkv.narrow(-1, (h + hkv) * d, hkv * d).view(b, t, hkv, d).transpose(1, 2);
        if (cos is not null)
        {
            q = Rotate(q, cos, sin!);
            k = Rotate(k, cos, sin!);
        }

        Tensor attended = attend(q, k, v).transpose(1, 2).reshape(b, t, h * d);
        x = x + Linear(attended, w.Output, w.OutputBias);
        Tensor gateUp = Linear(RmsNorm(x, w.PostAttentionNorm), w.GateUp, null);
        Tensor hidden = nn.functional.silu(gateUp.narrow(-1, 0, f)) * gateUp.narrow(-1, f, f);
        return x + Linear(hidden, w.Down, null);
    }

    /// <summary>Causal self-attention over a whole block (positions 0..T−1 of each row); grouped kv heads are repeated.</summary>
    private Tensor CausalAttention(Tensor q, Tensor k, Tensor v)
    {
        int group = Config.NumHeads / Config.NumKeyValueHeads;
        if (group > 1)
        {
            k = k.repeat_interleave(group, 1);
            v = v.repeat_interleave(group, 1);
        }

        Tensor attended = nn.functional.scaled_dot_product_attention(q.to(ComputeType), k.to(ComputeType), v.to(ComputeType), is_casual: true);
        return attended.to(ScalarType.Float32);
    }

    /// <summary>x·Wᵀ + b in the compute type, result in fp32 (the residual stream's type).</summary>
    private Tensor Linear(Tensor x, Tensor weight, Tensor? bias)
    {
        if (ComputeType == ScalarType.Float32)
        {
            return nn.functional.linear(x, weight, bias);
        }

        return nn.functional.linear(x.to(ComputeType), weight.to(ComputeType), bias?.to(ComputeType)).to(ScalarType.Float32);
    }

    /// <summary>RMSNorm over the last dimension: x / sqrt(mean(x²) + eps) · w, in fp32.</summary>
    private Tensor RmsNorm(Tensor x, Tensor weight) =>
        x * (x.square().mean([-1], keepdim: true) + Config.RmsNormEps).rsqrt() * weight;

    /// <summary>HF rotate_half RoPE: x·cos + rotate_half(x)·sin, x [B, heads, T, D].</summary>
    private static Tensor Rotate(Tensor x, Tensor cos, Tensor sin)
    {
        long half = x.shape[^1] / 2;
        Tensor rotated = cat([-x.narrow(-1, half, half), x.narrow(-1, 0, half)], -1);
        return x * cos + rotated * sin;
    }

    private Tensor Embed(Tensor tokens)
    {
        long b = tokens.shape[0], t = tokens.shape[1];
        return _embedding.index_select(0, tokens.reshape(b * t)).view(b, t, Config.HiddenSize);
    }

    private Tensor Head(Tensor x)
    {
        Tensor normed = RmsNorm(x, _finalNorm);
        return Linear(normed.reshape(-1, Config.HiddenSize), _lmHead, null);
    }

    /// <summary>cos/sin rows for positions [start, start + length) as [1, 1, T, D]; null without rotary embeddings.</summary>
    private (Tensor? Cos, Tensor? Sin) RopeRows(long start, long length)
    {
        if (_cos is null)
        {
            return (null, null);
        }

        long d = Config.HeadDim;
        return (_cos.narrow(0, start, length).view(1, 1, length, d), _sin!.narrow(0, start, length).view(1, 1, length, d));
    }

    private void RequirePositions(long length)
    {
        if (length > Config.MaxPositionEmbeddings)
        {
            throw new ArgumentOutOfRangeException(nameof(length), $"T = {length} exceeds max_position_embeddings = {Config.MaxPositionEmbeddings}.");
        }
    }

    /// <summary>
    /// cos/sin [L, D] for every position, computed on the host with the managed engine's single-precision steps
    /// (θ^(−2i/D) then p·θ^(−2i/D)) so both backends rotate by bit-identical angles; HF's layout repeats the D/2 angles twice.
    /// </summary>
    private static (Tensor Cos, Tensor Sin) RopeTables(ModelConfig config, Device device)
    {
        int d = config.HeadDim, half = d / 2, length = config.MaxPositionEmbeddings;
        var cos = new float[length * d];
        var sin = new float[length * d];
        for (int i = 0; i < half; i++)
        {
            float inverseFrequency = 1f / MathF.Pow(config.RopeTheta, 2 * i / (float)d);
            for (int p = 0; p < length; p++)
            {
                float angle = p * inverseFrequency;
                cos[p * d + i] = cos[p * d + half + i] = MathF.Cos(angle);
                sin[p * d + i] = sin[p * d + half + i] = MathF.Sin(angle);
            }
        }

        using var scope = NewDisposeScope();
        Tensor c = torch.tensor(cos, [length, d]).to(device).DetachFromDisposeScope();
        Tensor s = torch.tensor(sin, [length, d]).to(device).DetachFromDisposeScope();
        return (c, s);
    }

    private Tensor AddLeaf(string name, long[] shape, (string Name, int Rows)[] parts)
    {
        // Detached from any dispose scope of the caller: the weights live as long as the model.
        Tensor value = zeros(shape, ScalarType.Float32, Device).requires_grad_(true).DetachFromDisposeScope();
        var leaf = new TorchLeaf(name, value, shape.Length == 1);
        _leaves.Add(leaf);
        long row = 0;
        foreach ((string part, int rows) in parts)
        {
            int[] partShape = shape.Length == 1 ? [rows] : [rows, (int)shape[1]];
            _tensors.Add(new HfTensor(part, partShape, leaf, row));
            row += rows;
        }

        return value;
    }

    private void LoadWeights(string folder)
    {
        var readers = WeightFiles(folder).Select(SafeTensorsReader.Open).ToList();
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

            var expected = _tensors.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
            var unexpected = owner.Keys.Where(n => !expected.Contains(n) && !IsIgnorable(n)).ToList();
            var missing = expected.Where(n => !owner.ContainsKey(n)).ToList();
            if (unexpected.Count > 0 || missing.Count > 0)
            {
                throw new InvalidDataException($"{folder}: checkpoint does not match config.json."
                    + (missing.Count > 0 ? $" Missing: {string.Join(", ", missing)}." : "")
                    + (unexpected.Count > 0 ? $" Unexpected: {string.Join(", ", unexpected)}." : ""));
            }

            foreach (HfTensor tensor in _tensors)
            {
                SafeTensorsReader reader = owner[tensor.Name];
                int[] stored = reader.Entries[tensor.Name].Shape;
                if (!stored.AsSpan().SequenceEqual(tensor.Shape))
                {
                    throw new InvalidDataException(
                        $"{reader.Path}: tensor '{tensor.Name}' has shape [{string.Join(", ", stored)}], config needs [{string.Join(", ", tensor.Shape)}].");
                }

                Write(tensor, reader.Read(tensor.Name));
            }
        }
        finally
        {
            readers.ForEach(r => r.Dispose());
        }
    }

    private bool IsIgnorable(string name) =>
        name.EndsWith("rotary_emb.inv_freq", StringComparison.Ordinal) || (Config.TieWordEmbeddings && name == "lm_head.weight");

    /// <summary>model.safetensors, or the distinct shards that model.safetensors.index.json's weight_map names.</summary>
    private static List<string> WeightFiles(string folder)
    {
        string single = Path.Combine(folder, LlamaModel.WeightsFileName);
        if (File.Exists(single))
        {
            return [single];
        }

        string index = Path.Combine(folder, "model.safetensors.index.json");
        if (!File.Exists(index))
        {
            throw new FileNotFoundException($"{folder}: neither {LlamaModel.WeightsFileName} nor model.safetensors.index.json.");
        }

        JsonObject map = JsonNode.Parse(File.ReadAllText(index))?["weight_map"] as JsonObject
            ?? throw new InvalidDataException($"{index}: no weight_map.");
        return map.Select(e => e.Value!.GetValue<string>()).Distinct(StringComparer.Ordinal).Select(f => Path.Combine(folder, f)).ToList();
    }

    private static float[] ToArray(Tensor t)
    {
        using var scope = NewDisposeScope();
        return t.detach().to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
    }

    private sealed record Layer(Tensor Qkv, Tensor? QkvBias, Tensor Output, Tensor? OutputBias, Tensor GateUp, Tensor Down,
        Tensor InputNorm, Tensor PostAttentionNorm);
}
