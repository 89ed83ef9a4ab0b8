// A policy under training on libtorch (IPolicyTrainer): per optimizer step, one teacher-forced pass per micro-batch whose response
// log-probs go to the caller's objective, which returns ∂loss/∂logp per response token; autograd then runs
// logp.backward(that gradient) — the same contract as the managed engine's Backward(dLogProbs) — and after all passes the
// gradients are clipped and AdamW steps at the scheduled rate. A trainer folder (model/, optimizer/, trainer.json) has the
// managed PolicyTrainer's layout and formats, so either backend resumes what the other saved, and saving then loading
// here continues bit for bit as if nothing had stopped.
using System.Text.Json;
using System.Text.Json.Nodes;
using Pipeline.Backends.Torch.Model;
using Pipeline.Backends.Torch.Training;
using Pipeline.Engine.Training;
using Pipeline.Learning.Objectives;
using Pipeline.Learning.Policies;
using Pipeline.Learning.Updates;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Backends.Torch.Policies;

/// <summary>A <see cref="TorchPolicy"/> with its AdamW state, step count and random generator.</summary>
public sealed class TorchPolicyTrainer : IPolicyTrainer
{
    /// <summary>Folder of the model weights inside a trainer folder.</summary>
    public const string ModelFolder = PolicyTrainer.ModelFolder;

    /// <summary>Folder of the optimizer state inside a trainer folder.</summary>
    public const string OptimizerFolder = PolicyTrainer.OptimizerFolder;

    /// <summary>Schedule, clipping and micro-batch settings inside a trainer folder.</summary>
    public const string OptionsFileName = PolicyTrainer.OptionsFileName;

    private readonly TorchAdamW _optimizer;

    private TorchPolicyTrainer(TorchPolicy policy, TrainingOptions options, SeededRandom random)
    {
        options.Validate();
        Policy = policy;
        Options = options;
        Random = random;
        _optimizer = new TorchAdamW(policy.Model, options.Optimizer);
    }

    /// <summary>The policy being trained; steps change its weights in place.</summary>
    public TorchPolicy Policy { get; }

    /// <inheritdoc />
    IPolicy IPolicyTrainer.Policy => Policy;

    /// <inheritdoc />
    public TrainingOptions Options { get; }

    /// <inheritdoc />
    public long Step => _optimizer.Step;

    /// <inheritdoc />
    public SeededRandom Random { get; }

    /// <summary>Starts training the HF model in <paramref name="modelFolder"/> from step 0.</summary>
    public static TorchPolicyTrainer Start(string modelFolder, TrainingOptions options, ulong seed, TorchOptions? torchOptions = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        TorchPolicy policy = TorchPolicy.Load(modelFolder, torchOptions);
        return new TorchPolicyTrainer(policy, options, new SeededRandom(seed));
    }

    /// <summary>Restores a trainer folder written by <see cref="Save"/> or by the managed PolicyTrainer.</summary>
    public static TorchPolicyTrainer Resume(string trainerFolder, TorchOptions? torchOptions = null)
    {
        TrainingOptions options = ReadOptions(Path.Combine(trainerFolder, OptionsFileName));
        TorchPolicy policy = TorchPolicy.Load(Path.Combine(trainerFolder, ModelFolder), torchOptions);
        var trainer = new TorchPolicyTrainer(policy, options, new SeededRandom(0));
        try
        {
            trainer._optimizer.Load(Path.Combine(trainerFolder, OptimizerFolder), trainer.Random);
            return trainer;
        }
        catch
        {
            trainer.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    /// <remarks>The backward pass is autograd's logp.backward(∂loss/∂logp), zero on prompt and padding positions.</remarks>
    public UpdateResult Apply(IReadOnlyList<SequenceBatch> passes, Func<int, float[][], TokenLoss> objective)
    {
        ArgumentNullException.ThrowIfNull(passes);
        ArgumentNullException.ThrowIfNull(objective);
        if (passes.Count == 0)
        {
            throw new ArgumentException("An update needs at least one sequence.", nameof(passes));
        }

        double loss = AccumulateGradients(passes, objective, out int tokens);
        double norm = ClipGradients();
        if (!double.IsFinite(norm) || !double.IsFinite(loss))
        {
            throw new InvalidOperationException($"The update produced a non-finite loss ({loss}) or gradient norm ({norm}); the weights were left unchanged.");
        }

        float rate = Options.Schedule.At(_optimizer.Step);
        _optimizer.Update(rate);
        return new UpdateResult(loss, norm, rate, tokens, _optimizer.Step);
    }

    /// <inheritdoc />
    /// <remarks>The managed PolicyTrainer's layout and formats: either backend resumes the folder.</remarks>
    public void Save(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory.CreateDirectory(directory);
        Policy.Save(Path.Combine(directory, ModelFolder));
        _optimizer.Save(Path.Combine(directory, OptimizerFolder), Random);
        File.WriteAllText(Path.Combine(directory, OptionsFileName), WriteOptions(Options));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _optimizer.Dispose();
        Policy.Dispose();
    }

    /// <summary>Zeroes the gradients and accumulates every pass's; returns the summed loss (tests read the gradients after).</summary>
    internal double AccumulateGradients(IReadOnlyList<SequenceBatch> passes, Func<int, float[][], TokenLoss> objective, out int tokens)
    {
        TorchLlama model = Policy.Model;
        model.ZeroGrad();
        double loss = 0;
        tokens = 0;
        for (int i = 0; i < passes.Count; i++)
        {
            SequenceBatch pass = passes[i];
            using var scope = NewDisposeScope();
            (Tensor input, Tensor targets) = Policy.Inputs(pass);
            Tensor logProbs = model.LogProbs(input, targets);
            float[] host = logProbs.detach().cpu().data<float>().ToArray();
            TokenLoss share = objective(i, pass.ResponseLogProbs(host));
            var dLogProbs = new float[host.Length];
            pass.ScatterGradients(share.Gradients, dLogProbs);
            logProbs.backward([torch.tensor(dLogProbs, [pass.BatchSize, pass.Time]).to(model.Device)]);
            loss += share.Loss;
            tokens += pass.ResponseTokenCount;
        }

        return loss;
    }

    /// <summary>
    /// The global L2 norm of all gradients (per-leaf sums of squares in float64), and, when it exceeds the limit, the
    /// gradients scaled by max/(norm + 1e-6) as torch.nn.utils.clip_grad_norm_ and the managed trainer do.
    /// </summary>
    private double ClipGradients()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var grads = Policy.Model.Leaves.Select(l => l.Value.grad).OfType<Tensor>().ToList();
        double sum = 0;
        foreach (Tensor g in grads)
        {
            sum += g.to(ScalarType.Float64).square().sum().item<double>();
        }

        double norm = Math.Sqrt(sum);
        if (Options.MaxGradientNorm is { } max)
        {
            double factor = max / (norm + 1e-6);
            if (factor < 1.0)
            {
                foreach (Tensor g in grads)
                {
                    g.mul_((float)factor);
                }
            }
        }

        return norm;
    }

    // trainer.json has the managed PolicyTrainer's keys, so trainer folders are interchangeable between the backends.
    private static string WriteOptions(TrainingOptions options)
    {
        var schedule = options.Schedule;
        var json = new JsonObject
        {
            ["peak_learning_rate"] = schedule.PeakRate,
            ["warmup_steps"] = schedule.WarmupSteps,
            ["total_steps"] = schedule.TotalSteps,
            ["floor_learning_rate"] = schedule.FloorRate,
            ["max_gradient_norm"] = options.MaxGradientNorm,
            ["micro_batch_size"] = options.MicroBatchSize,
            ["beta1"] = options.Optimizer.Beta1,
            ["beta2"] = options.Optimizer.Beta2,
            ["eps"] = options.Optimizer.Epsilon,
            ["weight_decay"] = options.Optimizer.WeightDecay,
            ["decay_vectors"] = options.Optimizer.DecayVectors,
        };
        return json.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static TrainingOptions ReadOptions(string path)
    {
        var json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException($"{path}: expected a JSON object.");
        T Read<T>(string name) => json[name] is { } node ? node.GetValue<T>() : throw new InvalidDataException($"{path}: missing '{name}'.");
        return new TrainingOptions(new LearningRateSchedule(Read<float>("peak_learning_rate"), Read<int>("warmup_steps"),
            Read<int>("total_steps"), Read<float>("floor_learning_rate")))
        {
            MaxGradientNorm = json["max_gradient_norm"]?.GetValue<double>(),
            MicroBatchSize = Read<int>("micro_batch_size"),
            Optimizer = new AdamWOptions
            {
                Beta1 = Read<float>("beta1"),
                Beta2 = Read<float>("beta2"),
                Epsilon = Read<float>("eps"),
                WeightDecay = Read<float>("weight_decay"),
                DecayVectors = Read<bool>("decay_vectors"),
            },
        };
    }
}
