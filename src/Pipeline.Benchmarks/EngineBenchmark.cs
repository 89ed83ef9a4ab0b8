// Speed of the whole engine on the reference configurations, measured the way the reference torch_bench.py measures
// PyTorch so the two can be put side by side as ratios: the same model (vocab, width, layers, heads, ffn; tied
// embeddings, no biases, normal(0, 0.02) matrices), the same training step (forward, mean cross-entropy as a log-prob
// loss, backward, AdamW), the same generation (batch 64, prompt 32, 64 new tokens at temperature 1 from a key/value
// cache; new tokens divided by the whole call, prefill included) and the same warm-up and step counts, medians.
using System.Diagnostics;
using System.Text.Json.Nodes;
using Pipeline.Engine.Kernels;
using Pipeline.Engine.Model;
using Pipeline.Engine.Sampling;
using Pipeline.Engine.Training;

namespace Pipeline.Benchmarks;

/// <summary>A benchmark model and its training batch, as in torch_bench.py's CONFIGS.</summary>
/// <param name="Name">Configuration name (small, medium, or a test's own).</param>
/// <param name="Vocab">Vocabulary size V.</param>
/// <param name="Hidden">Residual width C.</param>
/// <param name="Layers">Decoder layers.</param>
/// <param name="Heads">Attention heads (as many kv heads).</param>
/// <param name="Ffn">Feed-forward width F.</param>
/// <param name="Seq">Training sequence length T.</param>
/// <param name="Batch">Training batch B.</param>
public sealed record BenchmarkConfig(string Name, int Vocab, int Hidden, int Layers, int Heads, int Ffn, int Seq, int Batch)
{
    /// <summary>The two reference configurations of the speed targets, by name.</summary>
    public static IReadOnlyList<BenchmarkConfig> References { get; } =
    [
        new("small", 64, 128, 4, 4, 344, 128, 32),
        new("medium", 512, 256, 6, 8, 688, 256, 16),
    ];

    /// <summary>The reference configuration called <paramref name="name"/>.</summary>
    public static BenchmarkConfig Reference(string name) =>
        References.FirstOrDefault(c => c.Name == name)
        ?? throw new ArgumentException($"Unknown benchmark config '{name}': use {string.Join(" or ", References.Select(c => c.Name))}.", nameof(name));

    /// <summary>
    /// The product <c>gemm_gflops</c> is measured on: the fused gate|up projection of the MLP, [B·T × C]·[2F × C]ᵀ, the
    /// largest forward product of both reference configurations.
    /// </summary>
    public GemmShape MainForwardShape =>
        new($"fwd gate|up {Batch * Seq}x{2 * Ffn}x{Hidden}", false, true, Batch * Seq, 2 * Ffn, Hidden);

    /// <summary>The Llama config with room for <paramref name="maxPositions"/> positions.</summary>
    internal ModelConfig ToModelConfig(int maxPositions) =>
        ModelConfig.Llama(Vocab, Hidden, Ffn, Layers, Heads, Heads, tieWordEmbeddings: true, attentionBias: false,
            maxPositionEmbeddings: maxPositions);
}

/// <summary>Step counts and generation shape; the defaults are torch_bench.py's.</summary>
public sealed record BenchmarkSettings
{
    /// <summary>Training steps run before timing.</summary>
    public int TrainWarmup { get; init; } = 3;

    /// <summary>Timed training steps (the median is reported).</summary>
    public int TrainSteps { get; init; } = 10;

    /// <summary>Generation calls run before timing.</summary>
    public int GenerationWarmup { get; init; } = 1;

    /// <summary>Timed generation calls (the median is reported).</summary>
    public int GenerationRuns { get; init; } = 5;

    /// <summary>Prompts per generation call.</summary>
    public int GenerationBatch { get; init; } = 64;

    /// <summary>Tokens per prompt.</summary>
    public int PromptLength { get; init; } = 32;

    /// <summary>New tokens per prompt.</summary>
    public int NewTokens { get; init; } = 64;

    /// <summary>Threads for matrix products and the decoder (PyTorch gets as many).</summary>
    public int Threads { get; init; } = 2;

    /// <summary>Samples of the GEMM micro-benchmark.</summary>
    public int GemmSamples { get; init; } = 5;
}

/// <summary>The engine's figures on one configuration.</summary>
/// <param name="Config">Configuration name.</param>
/// <param name="Params">Parameter count (the tied head counted once).</param>
/// <param name="TrainTokensPerSecond">B·T over the median training step.</param>
/// <param name="GenTokensPerSecond">New tokens over the median generation call (prefill included).</param>
/// <param name="PeakRssMb">Peak resident set (VmHWM) of this process after training, in MiB.</param>
/// <param name="GemmGflops">GFLOP/s of Gemm.Multiply on <see cref="BenchmarkConfig.MainForwardShape"/>.</param>
public sealed record EngineBenchmarkResult(string Config, long Params, double TrainTokensPerSecond, double GenTokensPerSecond,
    double PeakRssMb, double GemmGflops)
{
    /// <summary>The figures as one JSON object (the CLI passes them between processes this way).</summary>
    public JsonObject ToJson() => new()
    {
        ["config"] = Config,
        ["params"] = Params,
        ["train_tokens_per_s"] = TrainTokensPerSecond,
        ["gen_tokens_per_s"] = GenTokensPerSecond,
        ["peak_rss_mb"] = PeakRssMb,
        ["gemm_gflops"] = GemmGflops,
    };

    /// <summary>Reads what <see cref="ToJson"/> wrote.</summary>
    public static EngineBenchmarkResult FromJson(string json)
    {
        JsonObject o = JsonNode.Parse(json)?.AsObject() ?? throw new FormatException("Empty engine benchmark output.");
        return new EngineBenchmarkResult(Required(o, "config").GetValue<string>(), Required(o, "params").GetValue<long>(),
            Required(o, "train_tokens_per_s").GetValue<double>(), Required(o, "gen_tokens_per_s").GetValue<double>(),
            Required(o, "peak_rss_mb").GetValue<double>(), Required(o, "gemm_gflops").GetValue<double>());
    }

    internal static JsonNode Required(JsonObject o, string name) =>
        o[name] ?? throw new FormatException($"Benchmark output lacks '{name}'.");
}

/// <summary>Runs the engine half of <c>pipeline bench engine</c>.</summary>
public static class EngineBenchmark
{
    /// <summary>
    /// Builds the model, times training, reads the peak RSS, times generation, then times the GEMM on the main forward
    /// shape (last, so its buffers do not count in the peak). <paramref name="report"/> hears each phase.
    /// </summary>
    public static EngineBenchmarkResult Run(BenchmarkConfig config, BenchmarkSettings settings, Action<string>? report = null)
    {
        int previousThreads = Gemm.MaxThreads;
        Gemm.MaxThreads = settings.Threads;
        try
        {
            int maxPositions = Math.Max(config.Seq, settings.PromptLength + settings.NewTokens);
            LlamaModel model = LlamaModel.Create(config.ToModelConfig(maxPositions), seed: 1234);
            report?.Invoke($"{config.Name}: training ({settings.TrainWarmup} warm-up + {settings.TrainSteps} steps)");
            double stepSeconds = Median(TrainSteps(model, config, settings));
            double peakRssMb = PeakRssMb();
            report?.Invoke($"{config.Name}: generation ({settings.GenerationWarmup} warm-up + {settings.GenerationRuns} runs)");
            double generationSeconds = Median(GenerationRuns(model, config, settings));
            report?.Invoke($"{config.Name}: GEMM {config.MainForwardShape.Name}");
            GemmMeasurement gemm = GemmBenchmark.Measure([config.MainForwardShape], [GemmBenchmark.BackendName(Gemm.Backend)],
                settings.Threads, settings.GemmSamples, sampleMilliseconds: 20)[0];
            return new EngineBenchmarkResult(config.Name, model.Parameters.Length,
                (double)config.Batch * config.Seq / stepSeconds,
                (double)settings.GenerationBatch * settings.NewTokens / generationSeconds, peakRssMb, gemm.Gflops);
        }
        finally
        {
            Gemm.MaxThreads = previousThreads;
        }
    }

    /// <summary>Seconds per timed step: forward with log-probs, dLogProbs = −1/N (mean cross-entropy), backward, AdamW.</summary>
    private static List<double> TrainSteps(LlamaModel model, BenchmarkConfig config, BenchmarkSettings settings)
    {
        // torch_bench.py's optimizer: lr 1e-3, betas (0.9, 0.95), weight decay 0.1 on every tensor.
        var optimizer = new AdamW(model.Tensors, new AdamWOptions { Beta1 = 0.9f, Beta2 = 0.95f, WeightDecay = 0.1f });
        var random = new SeededRandom(7);
        int b = config.Batch, t = config.Seq, n = b * t;
        var tokens = new int[n];
        var targets = new int[n];
        var logProbs = new float[n];
        var dLogProbs = new float[n];
        dLogProbs.AsSpan().Fill(-1f / n);
        var times = new List<double>();
        for (int step = 0; step < settings.TrainWarmup + settings.TrainSteps; step++)
        {
            for (int row = 0; row < b; row++)
            {
                int previous = random.NextInt(config.Vocab);
                for (int i = 0; i < t; i++)
                {
                    tokens[row * t + i] = previous;
                    previous = targets[row * t + i] = random.NextInt(config.Vocab);
                }
            }

            long start = Stopwatch.GetTimestamp();
            model.ForwardLogProbs(tokens, targets, b, t, logProbs);
            model.ZeroGrad();
            model.Backward(dLogProbs);
            optimizer.Update(model.Parameters, model.Gradients, 1e-3f);
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (step >= settings.TrainWarmup)
            {
                times.Add(seconds);
            }
        }

        return times;
    }

    /// <summary>Seconds per timed call of the batched generator on fresh random prompts.</summary>
    private static List<double> GenerationRuns(LlamaModel model, BenchmarkConfig config, BenchmarkSettings settings)
    {
        var generator = new Generator(model) { MaxThreads = settings.Threads };
        return GenerationRuns(generator.Generate, config, settings);
    }

    /// <summary>
    /// Seconds per timed call of <paramref name="generate"/> (prompts, options, first sequence index) on fresh random
    /// prompts: the one measurement loop of every backend's generation figure.
    /// </summary>
    internal static List<double> GenerationRuns(Func<IReadOnlyList<int[]>, SamplingOptions, long, IReadOnlyList<GeneratedSequence>> generate,
        BenchmarkConfig config, BenchmarkSettings settings)
    {
        var options = new SamplingOptions { Temperature = 1f, MaxNewTokens = settings.NewTokens, Seed = 11, MaxBatchSize = settings.GenerationBatch };
        var random = new SeededRandom(11);
        var times = new List<double>();
        for (int run = 0; run < settings.GenerationWarmup + settings.GenerationRuns; run++)
        {
            var prompts = new int[settings.GenerationBatch][];
            for (int i = 0; i < prompts.Length; i++)
            {
                prompts[i] = new int[settings.PromptLength];
                for (int j = 0; j < settings.PromptLength; j++)
                {
                    prompts[i][j] = random.NextInt(config.Vocab);
                }
            }

            long start = Stopwatch.GetTimestamp();
            IReadOnlyList<GeneratedSequence> produced = generate(prompts, options, (long)run * prompts.Length);
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (produced.Sum(s => s.Tokens.Length) != settings.GenerationBatch * settings.NewTokens)
            {
                throw new InvalidOperationException("The generator stopped early: the benchmark counts every requested token.");
            }

            if (run >= settings.GenerationWarmup)
            {
                times.Add(seconds);
            }
        }

        return times;
    }

    /// <summary>Peak resident set of this process so far (VmHWM on Linux), in MiB.</summary>
    private static double PeakRssMb()
    {
        using Process self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64 / (1024.0 * 1024.0);
    }

    /// <summary>Median (mean of the middle two for an even count), as Python's statistics.median.</summary>
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
}
