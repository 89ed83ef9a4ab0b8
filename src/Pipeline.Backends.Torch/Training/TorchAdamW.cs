// AdamW over the libtorch model's leaves with the managed engine's arithmetic (Engine/Training/AdamW.cs, itself
// torch.optim.AdamW's): moments m ← β1·m + (1−β1)·g and v ← β2·v + (1−β2)·g², decoupled decay p ← p·(1 − lr·wd) (vectors
// exempt unless DecayVectors), then p ← p − (lr/(1−β1^t))·m/(√v/√(1−β2^t) + ε), the scalars rounded to float as there.
// Its state saves in the managed optimizer's format (optimizer.safetensors: "<HF name>.exp_avg" / ".exp_avg_sq";
// optimizer.json: step, hyper-parameters, RNG words), so a trainer folder resumes exactly in either backend.
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pipeline.Backends.Torch.Model;
using Pipeline.Engine.Checkpoints;
using Pipeline.Engine.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Backends.Torch.Training;

/// <summary>AdamW on a <see cref="TorchLlama"/>'s leaves; moments live on the model's device.</summary>
internal sealed class TorchAdamW : IDisposable
{
    private readonly TorchLlama _model;
    private readonly Tensor[] _m;
    private readonly Tensor[] _v;

    public TorchAdamW(TorchLlama model, AdamWOptions options)
    {
        _model = model;
        Options = options;
        _m = model.Leaves.Select(l => zeros_like(l.Value, requires_grad: false).DetachFromDisposeScope()).ToArray();
        _v = model.Leaves.Select(l => zeros_like(l.Value, requires_grad: false).DetachFromDisposeScope()).ToArray();
    }

    /// <summary>The hyper-parameters.</summary>
    public AdamWOptions Options { get; }

    /// <summary>Updates applied so far.</summary>
    public long Step { get; private set; }

    /// <summary>One update of every leaf from its gradient (a leaf without one counts as a zero gradient).</summary>
    public void Update(float learningRate)
    {
        Step++;
        float b1 = Options.Beta1, b2 = Options.Beta2, eps = Options.Epsilon;
        float decay = learningRate * Options.WeightDecay;
        float bias1 = 1f - MathF.Pow(b1, Step);
        float stepSize = learningRate / bias1;
        float bias2Sqrt = MathF.Sqrt(1f - MathF.Pow(b2, Step));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        for (int i = 0; i < _m.Length; i++)
        {
            TorchLeaf leaf = _model.Leaves[i];
            Tensor p = leaf.Value;
            Tensor g = p.grad ?? zeros_like(p);
            _m[i].mul_(b1).add_(g, 1f - b1);
            _v[i].mul_(b2).addcmul_(g, g, 1f - b2);
            if (Options.DecayVectors || !leaf.IsVector)
            {
                p.mul_(1f - decay);
            }

            Tensor denominator = _v[i].sqrt().div_(bias2Sqrt).add_(eps);
            p.addcdiv_(_m[i], denominator, -stepSize);
        }
    }

    /// <summary>Writes optimizer.safetensors and optimizer.json into <paramref name="directory"/> (the managed format).</summary>
    public void Save(string directory, SeededRandom? random)
    {
        Directory.CreateDirectory(directory);
        var tensors = new List<SafeTensorsTensor>();
        foreach (HfTensor t in _model.Tensors)
        {
            tensors.Add(new SafeTensorsTensor(t.Name + ".exp_avg", t.Shape, ReadMoment(_m, t)));
            tensors.Add(new SafeTensorsTensor(t.Name + ".exp_avg_sq", t.Shape, ReadMoment(_v, t)));
        }

        SafeTensorsWriter.Write(Path.Combine(directory, AdamW.MomentsFileName), tensors);
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
            state["rng_state"] = new JsonArray(random.State.Select(w => (JsonNode?)w.ToString(CultureInfo.InvariantCulture)).ToArray());
        }

        File.WriteAllText(Path.Combine(directory, AdamW.StateFileName), state.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>
    /// Restores what <see cref="Save"/> (or the managed AdamW) wrote, and the RNG words into <paramref name="random"/>;
    /// the saved hyper-parameters must equal these.
    /// </summary>
    public void Load(string directory, SeededRandom? random)
    {
        string statePath = Path.Combine(directory, AdamW.StateFileName);
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

        using (SafeTensorsReader reader = SafeTensorsReader.Open(Path.Combine(directory, AdamW.MomentsFileName)))
        {
            foreach (HfTensor t in _model.Tensors)
            {
                WriteMoment(_m, t, reader.Read(t.Name + ".exp_avg"));
                WriteMoment(_v, t, reader.Read(t.Name + ".exp_avg_sq"));
            }
        }

        Step = state["step"]!.GetValue<long>();
        if (random is not null)
        {
            JsonArray words = state["rng_state"] as JsonArray ?? throw new InvalidDataException($"{statePath}: no rng_state saved.");
            random.State = words.Select(w => ulong.Parse(w!.GetValue<string>(), CultureInfo.InvariantCulture)).ToArray();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (Tensor t in _m.Concat(_v))
        {
            t.Dispose();
        }
    }

    private float[] ReadMoment(Tensor[] moments, HfTensor t)
    {
        using var scope = NewDisposeScope();
        return t.Of(moments[LeafIndex(t)]).cpu().contiguous().data<float>().ToArray();
    }

    private void WriteMoment(Tensor[] moments, HfTensor t, float[] values)
    {
        if (values.Length != t.Length)
        {
            throw new InvalidDataException($"Saved moment of '{t.Name}' holds {values.Length} values, not {t.Length}.");
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        t.Of(moments[LeafIndex(t)]).copy_(torch.tensor(values, t.Shape.Select(s => (long)s).ToArray()).to(_model.Device));
    }

    private int LeafIndex(HfTensor t)
    {
        for (int i = 0; i < _model.Leaves.Count; i++)
        {
            if (ReferenceEquals(_model.Leaves[i], t.Leaf))
            {
                return i;
            }
        }

        throw new InvalidOperationException($"'{t.Name}' belongs to no leaf of this model.");
    }
}
