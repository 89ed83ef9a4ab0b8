// The PyTorch half of `pipeline bench engine`: runs the reference torch_bench.py for one configuration (in its own
// python process, so its peak RSS is that configuration's) and puts its figures next to the engine's as ratios.
using System.Text.Json.Nodes;

namespace Pipeline.Benchmarks;

/// <summary>PyTorch's figures on one configuration, as torch_bench.py prints them.</summary>
/// <param name="Config">Configuration name.</param>
/// <param name="Params">Parameter count (the tied head counted once).</param>
/// <param name="TrainTokensPerSecond">B·T over the median training step.</param>
/// <param name="GenTokensPerSecond">New tokens over the median generation call (prefill included).</param>
/// <param name="PeakRssMb">Peak resident set (VmHWM) of the python process after training, in MiB.</param>
public sealed record TorchBenchmarkResult(string Config, long Params, double TrainTokensPerSecond, double GenTokensPerSecond,
    double PeakRssMb)
{
    /// <summary>Runs torch_bench.py on <paramref name="config"/> with the same step counts and threads.</summary>
    /// <exception cref="InvalidOperationException">The interpreter or torch is missing, or the script failed.</exception>
    public static TorchBenchmarkResult Run(BenchmarkConfig config, BenchmarkSettings settings)
    {
        string output;
        try
        {
            output = ReferenceScripts.Run("torch_bench.py",
            [
                "--config", config.Name, "--threads", Text(settings.Threads),
                "--train-warmup", Text(settings.TrainWarmup), "--train-steps", Text(settings.TrainSteps),
                "--gen-warmup", Text(settings.GenerationWarmup), "--gen-runs", Text(settings.GenerationRuns),
            ]);
        }
        catch (InvalidOperationException e)
        {
            // A missing torch ends in a traceback; its last line ("ModuleNotFoundError: No module named 'torch'") says why.
            throw new InvalidOperationException(
                $"PyTorch reference failed ({ReferenceScripts.Python} the reference torch_bench.py): {ReferenceScripts.LastLine(e.Message)}", e);
        }

        return Parse(output.Trim());
    }

    /// <summary>Reads one line of torch_bench.py's output.</summary>
    public static TorchBenchmarkResult Parse(string line)
    {
        JsonObject o = JsonNode.Parse(line)?.AsObject() ?? throw new FormatException("Empty torch benchmark output.");
        return new TorchBenchmarkResult(EngineBenchmarkResult.Required(o, "config").GetValue<string>(),
            EngineBenchmarkResult.Required(o, "params").GetValue<long>(),
            EngineBenchmarkResult.Required(o, "train_tokens_per_s").GetValue<double>(),
            EngineBenchmarkResult.Required(o, "generated_tokens_per_s").GetValue<double>(),
            EngineBenchmarkResult.Required(o, "peak_rss_mb").GetValue<double>());
    }

    private static string Text(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>The engine and PyTorch on the same configuration: the figures <c>pipeline bench engine</c> prints.</summary>
public sealed record BenchmarkComparison
{
    /// <summary>Pairs the two; both must have measured the same configuration and the same parameter count.</summary>
    public BenchmarkComparison(EngineBenchmarkResult engine, TorchBenchmarkResult torch)
    {
        if (engine.Config != torch.Config || engine.Params != torch.Params)
        {
            throw new InvalidOperationException(
                $"The engine measured {engine.Config} with {engine.Params} parameters, PyTorch {torch.Config} with {torch.Params}: not the same model.");
        }

        Engine = engine;
        Torch = torch;
    }

    /// <summary>The engine's figures.</summary>
    public EngineBenchmarkResult Engine { get; }

    /// <summary>PyTorch's figures.</summary>
    public TorchBenchmarkResult Torch { get; }

    /// <summary>
    /// Per-figure medians of repeated comparisons of one configuration, each side's figures taken separately (load from
    /// other processes hits the engine and PyTorch at different moments, so ratios are formed from the medians).
    /// </summary>
    public static BenchmarkComparison Median(IReadOnlyList<BenchmarkComparison> runs)
    {
        if (runs.Count == 0)
        {
            throw new ArgumentException("At least one run is needed.", nameof(runs));
        }

        double Of(Func<BenchmarkComparison, double> figure) => EngineBenchmark.Median(runs.Select(figure).ToList());
        BenchmarkComparison first = runs[0];
        var engine = first.Engine with
        {
            TrainTokensPerSecond = Of(r => r.Engine.TrainTokensPerSecond),
            GenTokensPerSecond = Of(r => r.Engine.GenTokensPerSecond),
            PeakRssMb = Of(r => r.Engine.PeakRssMb),
            GemmGflops = Of(r => r.Engine.GemmGflops),
        };
        var torch = first.Torch with
        {
            TrainTokensPerSecond = Of(r => r.Torch.TrainTokensPerSecond),
            GenTokensPerSecond = Of(r => r.Torch.GenTokensPerSecond),
            PeakRssMb = Of(r => r.Torch.PeakRssMb),
        };
        return new BenchmarkComparison(engine, torch);
    }

    /// <summary>Engine training tokens/s over PyTorch's (target ≥ 1).</summary>
    public double TrainRatio => Engine.TrainTokensPerSecond / Torch.TrainTokensPerSecond;

    /// <summary>Engine generated tokens/s over PyTorch's (target ≥ 1.5).</summary>
    public double GenRatio => Engine.GenTokensPerSecond / Torch.GenTokensPerSecond;

    /// <summary>Engine peak RSS over PyTorch's, each a whole process after training (target ≤ 1.5).</summary>
    public double MemoryRatio => Engine.PeakRssMb / Torch.PeakRssMb;

    /// <summary>One JSON object with the fields of the speed acceptance, in a fixed order.</summary>
    public JsonObject ToJson() => new()
    {
        ["config"] = Engine.Config,
        ["params"] = Engine.Params,
        ["train_tokens_per_s"] = Engine.TrainTokensPerSecond,
        ["gen_tokens_per_s"] = Engine.GenTokensPerSecond,
        ["torch_train_tokens_per_s"] = Torch.TrainTokensPerSecond,
        ["torch_gen_tokens_per_s"] = Torch.GenTokensPerSecond,
        ["train_ratio"] = TrainRatio,
        ["gen_ratio"] = GenRatio,
        ["gemm_gflops"] = Engine.GemmGflops,
        ["peak_rss_mb"] = Engine.PeakRssMb,
        ["torch_peak_rss_mb"] = Torch.PeakRssMb,
        ["memory_ratio"] = MemoryRatio,
    };
}
