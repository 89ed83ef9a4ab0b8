// The `pipeline bench engine` harness on a tiny model (engine half) and on the small reference with one step each
// (engine and PyTorch together): every figure is produced, positive and finite, and the printed JSON has exactly the
// fields of the speed acceptance. No speed is asserted here; the targets live in the benchmark's own output.
using System.Text.Json.Nodes;
using Pipeline.Benchmarks;

namespace Pipeline.Benchmarks.Tests;

[Trait("Category", "Slow")]
public sealed class EngineBenchmarkTests
{
    private static readonly BenchmarkConfig Tiny = new("tiny", Vocab: 32, Hidden: 32, Layers: 2, Heads: 2, Ffn: 48, Seq: 16, Batch: 4);

    private static readonly BenchmarkSettings Quick = new()
    {
        TrainWarmup = 1, TrainSteps = 2, GenerationWarmup = 0, GenerationRuns = 2, GenerationBatch = 4, PromptLength = 4,
        NewTokens = 4, GemmSamples = 1,
    };

    [Fact]
    public void Run_TinyConfig_ReportsPositiveFiniteFiguresAndTheTiedParameterCount()
    {
        var phases = new List<string>();

        EngineBenchmarkResult result = EngineBenchmark.Run(Tiny, Quick, phases.Add);

        // Embedding (tied head) + per layer two norms, q|k|v, o, gate|up, down + final norm.
        long expected = 32 * 32 + 2 * (2 * 32 + 32 * 96 + 32 * 32 + 32 * 96 + 48 * 32) + 32;
        Assert.Equal("tiny", result.Config);
        Assert.Equal(expected, result.Params);
        foreach (double figure in new[] { result.TrainTokensPerSecond, result.GenTokensPerSecond, result.PeakRssMb, result.GemmGflops })
        {
            Assert.True(double.IsFinite(figure) && figure > 0, $"figure {figure}");
        }

        Assert.Equal(3, phases.Count);
        Assert.Equal(result, EngineBenchmarkResult.FromJson(result.ToJson().ToJsonString()));
    }

    [Fact]
    public void BenchmarkComparison_SmallReferenceOneStepEach_JsonHasExactlyTheAcceptanceFields()
    {
        var oneStep = new BenchmarkSettings { TrainWarmup = 0, TrainSteps = 1, GenerationWarmup = 0, GenerationRuns = 1, GemmSamples = 1 };
        BenchmarkConfig small = BenchmarkConfig.Reference("small");

        var comparison = new BenchmarkComparison(EngineBenchmark.Run(small, oneStep), TorchBenchmarkResult.Run(small, oneStep));
        JsonObject json = comparison.ToJson();

        string[] fields =
        [
            "config", "params", "train_tokens_per_s", "gen_tokens_per_s", "torch_train_tokens_per_s", "torch_gen_tokens_per_s",
            "train_ratio", "gen_ratio", "gemm_gflops", "peak_rss_mb", "torch_peak_rss_mb", "memory_ratio",
        ];
        Assert.Equal(fields, json.Select(p => p.Key));
        Assert.Equal("small", json["config"]!.GetValue<string>());
        Assert.Equal(799_872, json["params"]!.GetValue<long>());
        foreach (string field in fields.Skip(2))
        {
            double value = json[field]!.GetValue<double>();
            Assert.True(double.IsFinite(value) && value > 0, $"{field} = {value}");
        }

        Assert.Equal(comparison.Engine.TrainTokensPerSecond / comparison.Torch.TrainTokensPerSecond, json["train_ratio"]!.GetValue<double>());
        Assert.Equal(comparison.Engine.GenTokensPerSecond / comparison.Torch.GenTokensPerSecond, json["gen_ratio"]!.GetValue<double>());
        Assert.Equal(comparison.Engine.PeakRssMb / comparison.Torch.PeakRssMb, json["memory_ratio"]!.GetValue<double>());
    }

    [Fact]
    public void Median_ThreeRuns_TakesEachSidesMedianAndRatiosOfThem()
    {
        BenchmarkComparison Run(double engineTrain, double torchTrain, double engineGen, double torchGen) => new(
            new EngineBenchmarkResult("small", 799_872, engineTrain, engineGen, PeakRssMb: 200, GemmGflops: 400),
            new TorchBenchmarkResult("small", 799_872, torchTrain, torchGen, PeakRssMb: 800));

        // The torch side of the second run was slowed by other load; the engine side of the third.
        BenchmarkComparison median = BenchmarkComparison.Median([Run(30, 20, 33, 12), Run(32, 4, 34, 1), Run(10, 22, 3, 11)]);

        Assert.Equal(30, median.Engine.TrainTokensPerSecond);
        Assert.Equal(20, median.Torch.TrainTokensPerSecond);
        Assert.Equal(33, median.Engine.GenTokensPerSecond);
        Assert.Equal(11, median.Torch.GenTokensPerSecond);
        Assert.Equal(1.5, median.TrainRatio);
        Assert.Equal(3, median.GenRatio);
        Assert.Equal(0.25, median.MemoryRatio);
    }

    [Fact]
    public void BenchmarkComparison_DifferentModels_Throws()
    {
        var engine = new EngineBenchmarkResult("small", 799_872, 1, 1, 1, 1);
        var torch = new TorchBenchmarkResult("medium", 4_877_568, 1, 1, 1);

        Assert.Throws<InvalidOperationException>(() => new BenchmarkComparison(engine, torch));
    }

    [Fact]
    public void Reference_UnknownName_ThrowsNamingTheChoices()
    {
        var error = Assert.Throws<ArgumentException>(() => BenchmarkConfig.Reference("large"));

        Assert.Contains("small or medium", error.Message);
    }
}
