// The GEMM benchmark's plumbing: it measures every requested backend and shape, and its shape list round-trips
// through the torch reference script (real /usr/bin/python3 with Debian's torch, as the CLI runs it).
using Pipeline.Benchmarks;

namespace Pipeline.Benchmarks.Tests;

[Trait("Category", "Slow")]
public sealed class GemmBenchmarkTests
{
    private static readonly GemmShape[] TinyShapes =
    [
        new("tiny NT 9x20x7", false, true, 9, 20, 7),
        new("tiny TN 5x3x40", true, false, 5, 3, 40),
    ];

    [Fact]
    public void Measure_TwoShapesEveryBackend_OneFigurePerPair()
    {
        IReadOnlyList<string> backends = GemmBenchmark.AvailableBackends();
        Assert.Contains("managed256", backends);

        IReadOnlyList<GemmMeasurement> results = GemmBenchmark.Measure(TinyShapes, backends, threads: 1, samples: 1, sampleMilliseconds: 1);

        Assert.Equal(TinyShapes.Length * backends.Count, results.Count);
        foreach (GemmMeasurement result in results)
        {
            Assert.Contains(result.Shape, TinyShapes);
            Assert.True(result.MedianMicroseconds > 0 && double.IsFinite(result.Gflops), $"{result.Backend} on {result.Shape.Name}");
        }
    }

    [Fact]
    public void ParseTorchReference_ScriptOutputForShapeList_HasEveryShape()
    {
        string output = ReferenceScripts.Run("torch_gemm_bench.py",
            ["--threads", "1", "--samples", "1", "--sample-ms", "1"], GemmBenchmark.ShapesJson(TinyShapes));

        IReadOnlyDictionary<string, double> figures = GemmBenchmark.ParseTorchReference(output);

        Assert.Equal(TinyShapes.Select(s => s.Name).Order(), figures.Keys.Order());
        Assert.All(figures.Values, gflops => Assert.True(gflops > 0));
    }
}
