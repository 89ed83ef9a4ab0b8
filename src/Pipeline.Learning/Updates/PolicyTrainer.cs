// The state a policy update runs on and resumes from: the model's weights, AdamW's moments and step count, and one
// seeded generator for any randomness the caller's data order needs. Saving after each chunk of steps and loading
// before the next gives the same weights, bit for bit, as running the chunks without stopping.
using System.Text.Json;
using System.Text.Json.Nodes;
using Pipeline.Engine.Model;
using Pipeline.Engine.Training;
using Pipeline.Learning.Objectives;
using Pipeline.Learning.Policies;

namespace Pipeline.Learning.Updates;

/// <summary>A model under training with its optimizer, step count and random generator.</summary>
public sealed class PolicyTrainer : IPolicyTrainer
{
    /// <summary>Folder of the model weights inside a trainer folder.</summary>
    public const string ModelFolder = "model";

    /// <summary>Folder of the optimizer state (moments, step, RNG) inside a trainer folder.</summary>
    public const string OptimizerFolder = "optimizer";

    /// <summary>Schedule, clipping and micro-batch settings inside a trainer folder.</summary>
    public const string OptionsFileName = "trainer.json";

    private readonly AdamW _optimizer;
    private float[] _logProbs = [];
    private float[] _dLogProbs = [];

    /// <summary>Starts training <paramref name="model"/> from step 0 with a generator seeded by <paramref name="seed"/>.</summary>
    public PolicyTrainer(LlamaModel model, TrainingOptions options, ulong seed)
        : this(model, options, new SeededRandom(seed))
    {
    }

    private PolicyTrainer(LlamaModel model, TrainingOptions options, SeededRandom random)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Model = model;
        Options = options;
        Random = random;
        _optimizer = new AdamW(model.Tensors, options.Optimizer);
        _policy = new ManagedPolicy(model);
    }

    private readonly ManagedPolicy _policy;

    /// <summary>The policy being trained; updates change its weights in place.</summary>
    public LlamaModel Model { get; }

    /// <inheritdoc />
    public IPolicy Policy => _policy;

    /// <summary>The optimisation settings.</summary>
    public TrainingOptions Options { get; }

    /// <summary>Optimizer steps taken so far (the schedule is read at this index for the next step).</summary>
    public long Step => _optimizer.Step;

    /// <summary>Generator for the caller's data order and sampling seeds; saved and restored with the trainer.</summary>
    public SeededRandom Random { get; }

    /// <summary>
    /// Writes <c>model/</c> (config and weights), <c>optimizer/</c> (moments, step, RNG state) and <c>trainer.json</c>
    /// into <paramref name="directory"/>. Not atomic: write to a fresh folder and publish it once complete.
    /// </summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        Model.Save(Path.Combine(directory, ModelFolder));
        _optimizer.Save(Path.Combine(directory, OptimizerFolder), Random);
        var schedule = Options.Schedule;
        var json = new JsonObject
        {
            ["peak_learning_rate"] = schedule.PeakRate,
            ["warmup_steps"] = schedule.WarmupSteps,
            ["total_steps"] = schedule.TotalSteps,
            ["floor_learning_rate"] = schedule.FloorRate,
            ["max_gradient_norm"] = Options.MaxGradientNorm,
            ["micro_batch_size"] = Options.MicroBatchSize,
            ["beta1"] = Options.Optimizer.Beta1,
            ["beta2"] = Options.Optimizer.Beta2,
            ["eps"] = Options.Optimizer.Epsilon,
            ["weight_decay"] = Options.Optimizer.WeightDecay,
            ["decay_vectors"] = Options.Optimizer.DecayVectors,
        };
        File.WriteAllText(Path.Combine(directory, OptionsFileName), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Restores a trainer written by <see cref="Save"/>: weights, optimizer state, step, RNG state and settings.</summary>
    public static PolicyTrainer Load(string directory)
    {
        string optionsPath = Path.Combine(directory, OptionsFileName);
        var json = JsonNode.Parse(File.ReadAllText(optionsPath)) as JsonObject
            ?? throw new InvalidDataException($"{optionsPath}: expected a JSON object.");
        var options = new TrainingOptions(new LearningRateSchedule(
            Read<float>(json, "peak_learning_rate", optionsPath), Read<int>(json, "warmup_steps", optionsPath),
            Read<int>(json, "total_steps", optionsPath), Read<float>(json, "floor_learning_rate", optionsPath)))
        {
            MaxGradientNorm = json["max_gradient_norm"]?.GetValue<double>(),
            MicroBatchSize = Read<int>(json, "micro_batch_size", optionsPath),
            Optimizer = new AdamWOptions
            {
                Beta1 = Read<float>(json, "beta1", optionsPath),
                Beta2 = Read<float>(json, "beta2", optionsPath),
                Epsilon = Read<float>(json, "eps", optionsPath),
                WeightDecay = Read<float>(json, "weight_decay", optionsPath),
                DecayVectors = Read<bool>(json, "decay_vectors", optionsPath),
            },
        };
        var trainer = new PolicyTrainer(LlamaModel.Load(Path.Combine(directory, ModelFolder)), options, new SeededRandom(0));
        // AdamW checks its own saved hyper-parameters against these, so a mismatched folder fails here.
        trainer._optimizer.Load(Path.Combine(directory, OptimizerFolder), trainer.Random);
        return trainer;
    }

    /// <summary>
    /// One optimizer step: zero the gradients; per pass, a teacher-forced forward over <paramref name="passes"/>[i], the
    /// objective's loss share and per-token gradients from the response log-probs, and a backward pass; then clipping and
    /// AdamW at the scheduled rate. The objective gets the pass index and that pass's response log-probs, one array per row.
    /// </summary>
    public UpdateResult Apply(IReadOnlyList<SequenceBatch> passes, Func<int, float[][], TokenLoss> objective)
    {
        if (passes.Count == 0) throw new ArgumentException("An update needs at least one sequence.", nameof(passes));
        Model.ZeroGrad();
        double loss = 0;
        int tokens = 0;
        for (int i = 0; i < passes.Count; i++)
        {
            var pass = passes[i];
            pass.RequireVocabulary(Model.Config.VocabSize);
            int n = pass.BatchSize * pass.Time;
            var logProbs = Buffer(ref _logProbs, n);
            var dLogProbs = Buffer(ref _dLogProbs, n);
            Model.ForwardLogProbs(pass.Tokens, pass.Targets, pass.BatchSize, pass.Time, logProbs);
            var share = objective(i, pass.ResponseLogProbs(logProbs));
            pass.ScatterGradients(share.Gradients, dLogProbs);
            Model.Backward(dLogProbs);
            loss += share.Loss;
            tokens += pass.ResponseTokenCount;
        }

        double norm = Options.MaxGradientNorm is { } max
            ? GradientClipping.ClipByGlobalNorm(Model.Gradients, max)
            : GradientClipping.GlobalNorm(Model.Gradients);
        if (!double.IsFinite(norm) || !double.IsFinite(loss))
            throw new InvalidOperationException($"The update produced a non-finite loss ({loss}) or gradient norm ({norm}); the weights were left unchanged.");
        float rate = Options.Schedule.At(_optimizer.Step);
        _optimizer.Update(Model.Parameters, Model.Gradients, rate);
        return new UpdateResult(loss, norm, rate, tokens, _optimizer.Step);
    }

    private static Span<float> Buffer(ref float[] buffer, int length)
    {
        if (buffer.Length < length) buffer = new float[length];
        return buffer.AsSpan(0, length);
    }

    private static T Read<T>(JsonObject json, string name, string source) =>
        json[name] is { } node ? node.GetValue<T>() : throw new InvalidDataException($"{source}: missing '{name}'.");

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
