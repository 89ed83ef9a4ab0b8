// libtorch 2.10 (through TorchSharp) on the reference benchmark configurations, measured in the process that has just
// measured the managed engine, the way EngineBenchmark and the reference torch_bench.py measure: the same weights
// (the engine's seed-1234 init copied over), the same training step (forward, mean cross-entropy as a log-prob loss,
// backward, AdamW lr 1e-3, betas (0.9, 0.95), weight decay 0.1), the same generation (batch 64, prompt 32, 64 new tokens
// at temperature 1 from a key/value cache, prefill included), the same warm-up and step counts, medians. The one entry
// point for `pipeline bench engine`, wherever that command lives.
using System.Diagnostics;
using System.Text.Json.Nodes;
using Pipeline.Backends.Torch.Model;
using Pipeline.Backends.Torch.Runtime;
using Pipeline.Backends.Torch.Sampling;
using Pipeline.Backends.Torch.Training;
using Pipeline.Benchmarks;
using Pipeline.Engine.Model;
using Pipeline.Engine.Sampling;
using Pipeline.Engine.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Benchmarks;

/// <summary>libtorch's figures on one configuration.</summary>
/// <param name="Config">Configuration name.</param>
/// <param name="Params">Parameter count (the tied head counted once).</param>
/// <param name="TrainTokensPerSecond">B·T over the median training step.</param>
/// <param name="GenTokensPerSecond">New tokens over the median generation call (prefill included).</param>
public sealed record LibTorchBenchmarkResult(string Config, long Params, double TrainTokensPerSecond, double GenTokensPerSecond)
{
    /// <summary>The figures as one JSON object (passed from the measuring child process to the CLI this way).</summary>
    public JsonObject ToJson() => new()
    {
        ["config"] = Config,
        ["params"] = Params,
        ["train_tokens_per_s"] = TrainTokensPerSecond,
        ["gen_tokens_per_s"] = GenTokensPerSecond,
    };

    /// <summary>Reads what <see cref="ToJson"/> wrote.</summary>
    public static LibTorchBenchmarkResult FromJson(JsonObject o) =>
        new(Required(o, "config").GetValue<string>(), Required(o, "params").GetValue<long>(),
            Required(o, "train_tokens_per_s").GetValue<double>(), Required(o, "gen_tokens_per_s").GetValue<double>());

    /// <summary>Per-figure medians of repeated runs of one configuration.</summary>
    public static LibTorchBenchmarkResult Median(IReadOnlyList<LibTorchBenchmarkResult> runs)
    {
        if (runs.Count == 0)
        {
            throw new ArgumentException("At least one run is needed.", nameof(runs));
        }

        return runs[0] with
        {
            TrainTokensPerSecond = LibTorchBenchmark.Median(runs.Select(r => r.TrainTokensPerSecond).ToList()),
            GenTokensPerSecond = LibTorchBenchmark.Median(runs.Select(r => r.GenTokensPerSecond).ToList()),
        };
    }

    /// <summary>
    /// Adds <c>libtorch_train_tokens_per_s</c>, <c>libtorch_gen_tokens_per_s</c> and the engine-over-libtorch ratios
    /// <c>libtorch_train_ratio</c>, <c>libtorch_gen_ratio</c> to a comparison object of <c>pipeline bench engine --json</c>.
    /// </summary>
    public void AddTo(JsonObject comparison, EngineBenchmarkResult engine)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        ArgumentNullException.ThrowIfNull(engine);
        if (engine.Config != Config || engine.Params != Params)
        {
            throw new InvalidOperationException(
                $"The engine measured {engine.Config} with {engine.Params} parameters, libtorch {Config} with {Params}: not the same model.");
        }

        comparison["libtorch_train_tokens_per_s"] = TrainTokensPerSecond;
        comparison["libtorch_gen_tokens_per_s"] = GenTokensPerSecond;
        comparison["libtorch_train_ratio"] = engine.TrainTokensPerSecond / TrainTokensPerSecond;
        comparison["libtorch_gen_ratio"] = engine.GenTokensPerSecond / GenTokensPerSecond;
    }

    private static JsonNode Required(JsonObject o, string name) =>
        o[name] ?? throw new FormatException($"libtorch benchmark output lacks '{name}'.");
}

/// <summary>Runs the libtorch half of <c>pipeline bench engine</c>.</summary>
public static class LibTorchBenchmark
{
    /// <summary>
    /// Measures libtorch on <paramref name="config"/> with <paramref name="settings"/>' step counts and thread count.
    /// Throws <see cref="TorchUnavailableException"/> when libtorch does not load here.
    /// </summary>
    public static LibTorchBenchmarkResult Run(BenchmarkConfig config, BenchmarkSettings settings, Action<string>? report = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(settings);
        TorchRuntime.Initialize(settings.Threads);
        int maxPositions = Math.Max(config.Seq, settings.PromptLength + settings.NewTokens);
        ModelConfig modelConfig = ModelConfig.Llama(config.Vocab, config.Hidden, config.Ffn, config.Layers, config.Heads, config.Heads,
            tieWordEmbeddings: true, attentionBias: false, maxPositionEmbeddings: maxPositions);
        using TorchLlama model = TorchLlama.Create(modelConfig, torch.CPU);
        model.CopyFrom(LlamaModel.Create(modelConfig, seed: 1234));
        report?.Invoke($"{config.Name}: libtorch training ({settings.TrainWarmup} warm-up + {settings.TrainSteps} steps)");
        double stepSeconds = Median(TrainSteps(model, config, settings));
        report?.Invoke($"{config.Name}: libtorch generation ({settings.GenerationWarmup} warm-up + {settings.GenerationRuns} runs)");
        double generationSeconds = Median(GenerationRuns(model, config, settings));
        return new LibTorchBenchmarkResult(config.Name, model.ParameterCount, (double)config.Batch * config.Seq / stepSeconds,
            (double)settings.GenerationBatch * settings.NewTokens / generationSeconds);
    }

    /// <summary>Median (mean of the middle two for an even count).</summary>
    internal static double Median(List<double> values)
    {
        if (values.Count == 0)
        {
            throw new ArgumentException("At least one timed step is needed.");
        }

        values.Sort();
        int middle = values.Count / 2;
        return values.Count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    /// <summary>Seconds per timed step: forward with log-probs, backward of dLogProbs = −1/N, AdamW.</summary>
    private static List<double> TrainSteps(TorchLlama model, BenchmarkConfig config, BenchmarkSettings settings)
    {
        using var optimizer = new TorchAdamW(model, new AdamWOptions { Beta1 = 0.9f, Beta2 = 0.95f, WeightDecay = 0.1f });
        var random = new SeededRandom(7);
        int b = config.Batch, t = config.Seq, n = b * t;
        var tokens = new long[n];
        var targets = new long[n];
        var times = new List<double>();
        for (int step = 0; step < settings.TrainWarmup + settings.TrainSteps; step++)
        {
            for (int row = 0; row < b; row++)
            {
                int previous = random.NextInt(config.Vocab);
                for (int i = 0; i < t; i++)
                {
                    tokens[row * t + i] = previous;
                    previous = random.NextInt(config.Vocab);
                    targets[row * t + i] = previous;
                }
            }

            using var scope = NewDisposeScope();
            Tensor input = torch.tensor(tokens, [b, t]), output = torch.tensor(targets, [b, t]);
            Tensor gradient = full([b, t], -1.0 / n, ScalarType.Float32);
            long start = Stopwatch.GetTimestamp();
            Tensor logProbs = model.LogProbs(input, output);
            model.ZeroGrad();
            logProbs.backward([gradient]);
            optimizer.Update(1e-3f);
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (step >= settings.TrainWarmup)
            {
                times.Add(seconds);
            }
        }

        return times;
    }

    /// <summary>Seconds per timed generation call on fresh random prompts.</summary>
    private static List<double> GenerationRuns(TorchLlama model, BenchmarkConfig config, BenchmarkSettings settings) =>
        EngineBenchmark.GenerationRuns(new TorchGenerator(model).Generate, config, settings);
}
