// AdamW with PyTorch's semantics (torch.optim.AdamW): decoupled weight decay p ← p·(1 − lr·wd) before the Adam update,
// bias-corrected moments, eps added after the square root. Runs over the flat parameter and gradient arrays; its state
// (moments, step, hyper-parameters, optionally an RNG) saves to a folder so training resumes exactly.
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pipeline.Engine.Checkpoints;
using Pipeline.Engine.Model;

namespace Pipeline.Engine.Training;

/// <summary>Hyper-parameters of <see cref="AdamW"/> (PyTorch defaults apart from weight decay, which it sets to 0.01).</summary>
public sealed record AdamWOptions
{
    /// <summary>β1, the first-moment decay.</summary>
    public float Beta1 { get; init; } = 0.9f;

    /// <summary>β2, the second-moment decay.</summary>
    public float Beta2 { get; init; } = 0.999f;

    /// <summary>ε added to the bias-corrected root of the second moment.</summary>
    public float Epsilon { get; init; } = 1e-8f;

    /// <summary>Decoupled weight decay coefficient.</summary>
    public float WeightDecay { get; init; } = 0.01f;

    /// <summary>Whether one-dimensional tensors (norm weights, biases) decay too; PyTorch's default is yes.</summary>
    public bool DecayVectors { get; init; } = true;
}

/// <summary>AdamW over a model's flat parameters.</summary>
public sealed class AdamW
{
    /// <summary>Moments file inside an optimizer-state folder.</summary>
    public const string MomentsFileName = "optimizer.safetensors";

    /// <summary>Step, hyper-parameters and RNG state inside an optimizer-state folder.</summary>
    public const string StateFileName = "optimizer.json";

    private const int ChunkSize = 1 << 14;
    private readonly IReadOnlyList<ParameterTensor> _tensors;
    private readonly float[] _m;
    private readonly float[] _v;
    private readonly float[] _decayMask;

    /// <summary>Creates the optimizer for parameters laid out as <paramref name="tensors"/> describes.</summary>
    public AdamW(IReadOnlyList<ParameterTensor> tensors, AdamWOptions? options = null)
    {
        _tensors = tensors;
        Options = options ?? new AdamWOptions();
        int count = tensors.Count == 0 ? 0 : tensors.Max(t => t.Offset + t.Length);
        _m = new float[count];
        _v = new float[count];
        _decayMask = new float[count];
        foreach (ParameterTensor t in tensors)
        {
            _decayMask.AsSpan(t.Offset, t.Length).Fill(Options.DecayVectors || !t.IsVector ? 1f : 0f);
        }
    }

    /// <summary>The hyper-parameters.</summary>
    public AdamWOptions Options { get; }

    /// <summary>Number of updates applied so far.</summary>
    public long Step { get; private set; }

    /// <summary>First moments, parallel to the parameters.</summary>
    public ReadOnlySpan<float> FirstMoments => _m;

    /// <summary>Second moments, parallel to the parameters.</summary>
    public ReadOnlySpan<float> SecondMoments => _v;

    /// <summary>Applies one update with learning rate <paramref name="learningRate"/>.</summary>
    public void Update(Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate)
    {
        if (parameters.Length != _m.Length || gradients.Length != _m.Length)
        {
            throw new ArgumentException($"Expected {_m.Length} parameters and gradients.");
        }

        Step++;
        float b1 = Options.Beta1, b2 = Options.Beta2, eps = Options.Epsilon;
        float decay = learningRate * Options.WeightDecay;
        float bias1 = 1f - MathF.Pow(b1, Step);
        float stepSize = learningRate / bias1;
        float bias2Sqrt = MathF.Sqrt(1f - MathF.Pow(b2, Step));
        unsafe
        {
            fixed (float* pp = parameters)
            fixed (float* gp = gradients)
            fixed (float* mp = _m)
            fixed (float* vp = _v)
            fixed (float* dp = _decayMask)
            {
                float* p = pp, g = gp, m = mp, v = vp, mask = dp;
                int chunks = (_m.Length + ChunkSize - 1) / ChunkSize;
                int length = _m.Length;
                Parallel.For(0, chunks, chunk =>
                {
                    int start = chunk * ChunkSize;
                    int end = Math.Min(length, start + ChunkSize);
                    int i = start;
                    var vb1 = new Vector<float>(b1);
                    var vb2 = new Vector<float>(b2);
                    var vc1 = new Vector<float>(1f - b1);
                    var vc2 = new Vector<float>(1f - b2);
                    for (; i <= end - Vector<float>.Count; i += Vector<float>.Count)
                    {
                        var gi = Vector.Load(g + i);
                        var mi = vb1 * Vector.Load(m + i) + vc1 * gi;
                        var vi = vb2 * Vector.Load(v + i) + vc2 * gi * gi;
                        mi.Store(m + i);
                        vi.Store(v + i);
                        var pi = Vector.Load(p + i) * (Vector<float>.One - decay * Vector.Load(mask + i));
                        var denominator = Vector.SquareRoot(vi) / bias2Sqrt + new Vector<float>(eps);
                        (pi - stepSize * (mi / denominator)).Store(p + i);
                    }

                    for (; i < end; i++)
                    {
                        float gi = g[i];
                        float mi = m[i] = b1 * m[i] + (1f - b1) * gi;
                        float vi = v[i] = b2 * v[i] + (1f - b2) * gi * gi;
                        float pi = p[i] * (1f - decay * mask[i]);
                        p[i] = pi - stepSize * (mi / (MathF.Sqrt(vi) / bias2Sqrt + eps));
                    }
                });
            }
        }
    }

    /// <summary>
    /// Writes <c>optimizer.safetensors</c> (moments per HF tensor name) and <c>optimizer.json</c> (step, hyper-parameters
    /// and, when given, the state of <paramref name="random"/>) into <paramref name="directory"/>.
    /// </summary>
    public void Save(string directory, SeededRandom? random = null)
    {
        Directory.CreateDirectory(directory);
        var tensors = new List<SafeTensorsTensor>();
        foreach (ParameterTensor t in _tensors)
        {
            tensors.Add(new SafeTensorsTensor(t.Name + ".exp_avg", t.Shape, _m.AsMemory(t.Offset, t.Length)));
            tensors.Add(new SafeTensorsTensor(t.Name + ".exp_avg_sq", t.Shape, _v.AsMemory(t.Offset, t.Length)));
        }

        SafeTensorsWriter.Write(Path.Combine(directory, MomentsFileName), tensors);
        var state = new JsonObject
        {
            ["step"] = Step,
            ["beta1"] = Options.Beta1,
            ["beta2"] = Options.Beta2,
            ["eps"] = Options.Epsilon,
            ["weight_decay"] = Options.WeightDecay,
            ["decay_vectors"] = Options.DecayVectors,
        };
        if (random is not null)
        {
            // Words as strings: JSON numbers lose precision past 2^53 in many readers.
            state["rng_state"] = new JsonArray(random.State.Select(w => (JsonNode?)w.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        }

        File.WriteAllText(Path.Combine(directory, StateFileName), state.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>
    /// Restores moments and step saved by <see cref="Save"/>, and the RNG state into <paramref name="random"/> when given.
    /// The saved hyper-parameters must equal this optimizer's.
    /// </summary>
    public void Load(string directory, SeededRandom? random = null)
    {
        string statePath = Path.Combine(directory, StateFileName);
        JsonObject state = JsonNode.Parse(File.ReadAllText(statePath)) as JsonObject
            ?? throw new InvalidDataException($"{statePath}: expected a JSON object.");
        var saved = new AdamWOptions
        {
            Beta1 = state["beta1"]!.GetValue<float>(),
            Beta2 = state["beta2"]!.GetValue<float>(),
            Epsilon = state["eps"]!.GetValue<float>(),
            WeightDecay = state["weight_decay"]!.GetValue<float>(),
            DecayVectors = state["decay_vectors"]!.GetValue<bool>(),
        };
        if (saved != Options)
        {
            throw new InvalidDataException($"{statePath}: saved hyper-parameters {saved} differ from this optimizer's {Options}.");
        }

        using (SafeTensorsReader reader = SafeTensorsReader.Open(Path.Combine(directory, MomentsFileName)))
        {
            foreach (ParameterTensor t in _tensors)
            {
                reader.ReadInto(t.Name + ".exp_avg", _m.AsSpan(t.Offset, t.Length));
                reader.ReadInto(t.Name + ".exp_avg_sq", _v.AsSpan(t.Offset, t.Length));
            }
        }

        Step = state["step"]!.GetValue<long>();
        if (random is not null)
        {
            JsonArray words = state["rng_state"] as JsonArray
                ?? throw new InvalidDataException($"{statePath}: no rng_state saved.");
            random.State = words.Select(w => ulong.Parse(w!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        }
    }
}
