// Micro-benchmark of Gemm.Multiply on the shapes the transformer actually runs (training rows = batch·seq = 4096,
// attention per head, generation with 64 rows or 1). The CLI prints these figures next to torch.mm's from
// the reference torch_gemm_bench.py, which reads the same shape list as JSON.
using System.Diagnostics;
using System.Text.Json;
using Pipeline.Engine.Kernels;

namespace Pipeline.Benchmarks;

/// <summary>One product shape: C[m,n] = op(A)[m,k]·op(B)[k,n].</summary>
/// <param name="Name">Where the shape occurs in the model.</param>
/// <param name="TransA">A stored k×m.</param>
/// <param name="TransB">B stored n×k.</param>
/// <param name="M">Rows of C.</param>
/// <param name="N">Columns of C.</param>
/// <param name="K">Summation depth.</param>
public sealed record GemmShape(string Name, bool TransA, bool TransB, int M, int N, int K)
{
    /// <summary>Floating-point operations of one product (a multiply and an add per term).</summary>
    public double Flops => 2.0 * M * N * K;
}

/// <summary>Measured speed of one backend on one shape.</summary>
/// <param name="Shape">The product measured.</param>
/// <param name="Backend">managed512, managed256, portable or openblas.</param>
/// <param name="Threads">Threads allowed.</param>
/// <param name="MedianMicroseconds">Median time of one product.</param>
public sealed record GemmMeasurement(GemmShape Shape, string Backend, int Threads, double MedianMicroseconds)
{
    /// <summary>Billions of floating-point operations per second at the median time.</summary>
    public double Gflops => Shape.Flops / (MedianMicroseconds * 1e3);
}

/// <summary>Times Gemm.Multiply per backend and shape.</summary>
public static class GemmBenchmark
{
    /// <summary>The products of the two reference configurations (small d=128, medium d=256), training and generation.</summary>
    public static IReadOnlyList<GemmShape> ModelShapes { get; } =
    [
        new("fwd x·Wqᵀ small 4096x128x128", false, true, 4096, 128, 128),
        new("fwd x·Wupᵀ small 4096x344x128", false, true, 4096, 344, 128),
        new("fwd x·Wqᵀ medium 4096x256x256", false, true, 4096, 256, 256),
        new("fwd x·Wupᵀ medium 4096x688x256", false, true, 4096, 688, 256),
        new("fwd h·Wdownᵀ medium 4096x256x688", false, true, 4096, 256, 688),
        new("fwd LM head medium 4096x512x256", false, true, 4096, 512, 256),
        new("bwd dX=dY·W small 4096x128x344", false, false, 4096, 128, 344),
        new("bwd dX=dY·W medium 4096x256x688", false, false, 4096, 256, 688),
        new("bwd dX=dY·W medium 4096x688x256", false, false, 4096, 688, 256),
        new("bwd dW=dYᵀ·X small 128x128x4096", true, false, 128, 128, 4096),
        new("bwd dW=dYᵀ·X small 344x128x4096", true, false, 344, 128, 4096),
        new("bwd dW=dYᵀ·X medium 688x256x4096", true, false, 688, 256, 4096),
        new("bwd dW=dYᵀ·X medium 256x688x4096", true, false, 256, 688, 4096),
        new("bwd dW LM head medium 512x256x4096", true, false, 512, 256, 4096),
        new("attn Q·Kᵀ T128 128x128x32", false, true, 128, 128, 32),
        new("attn P·V T128 128x32x128", false, false, 128, 32, 128),
        new("attn Q·Kᵀ T256 256x256x32", false, true, 256, 256, 32),
        new("attn P·V T256 256x32x256", false, false, 256, 32, 256),
        new("attn dV=Pᵀ·dO T256 256x32x256", true, false, 256, 32, 256),
        new("gen x·Wupᵀ medium b64 64x688x256", false, true, 64, 688, 256),
        new("gen LM head medium b64 64x512x256", false, true, 64, 512, 256),
        new("gen x·Wqᵀ small b64 64x128x128", false, true, 64, 128, 128),
        new("gen x·Wupᵀ medium b1 1x688x256", false, true, 1, 688, 256),
        new("gen LM head medium b1 1x512x256", false, true, 1, 512, 256),
    ];

    /// <summary>Backends this machine can run, by the names <see cref="Measure"/> accepts.</summary>
    public static IReadOnlyList<string> AvailableBackends()
    {
        var names = new List<string>();
        if (MicroKernel512x14x32.IsSupported)
        {
            names.Add("managed512");
        }
        if (MicroKernel256x14x16.IsSupported)
        {
            names.Add("managed256");
        }
        names.Add("portable");
        if (OpenBlasGemm.IsAvailable)
        {
            names.Add("openblas");
        }
        return names;
    }

    /// <summary>The shape list as JSON for the torch reference script.</summary>
    public static string ShapesJson(IEnumerable<GemmShape> shapes) =>
        JsonSerializer.Serialize(shapes.Select(s => new { name = s.Name, transA = s.TransA, transB = s.TransB, m = s.M, n = s.N, k = s.K }));

    /// <summary>
    /// Median time of one product per shape and backend. Rounds alternate the backends so that load from other
    /// processes hits them alike, but each backend runs all shapes in one stretch: OpenBLAS's OpenMP threads keep
    /// spinning after a call and would slow whatever runs right after them. Each of <paramref name="samples"/> samples
    /// per shape runs for about <paramref name="sampleMilliseconds"/>.
    /// </summary>
    public static IReadOnlyList<GemmMeasurement> Measure(IEnumerable<GemmShape> shapes, IEnumerable<string> backends,
        int threads, int samples = 7, double sampleMilliseconds = 30)
    {
        string[] backendNames = backends.ToArray();
        GemmShape[] shapeList = shapes.ToArray();
        var operands = shapeList.Select(s => new Operands(s)).ToArray();
        var times = new Dictionary<(string Backend, int Shape), List<double>>();
        var iterations = new Dictionary<(string Backend, int Shape), int>();
        GemmBackend previousBackend = Gemm.Backend;
        int previousThreads = Gemm.MaxThreads;
        try
        {
            Gemm.MaxThreads = threads;
            OpenBlasGemm.SetThreadCount(threads);
            for (int round = -1; round < samples; round++)
            {
                foreach (string backend in backendNames)
                {
                    Gemm.Backend = ParseBackend(backend);
                    for (int i = 0; i < shapeList.Length; i++)
                    {
                        var key = (backend, i);
                        if (round < 0)
                        {
                            // Warm-up: compiles, fills the packing buffers and sizes the samples.
                            TimeOne(operands[i], shapeList[i], 3);
                            double once = TimeOne(operands[i], shapeList[i], 3);
                            iterations[key] = (int)Math.Clamp(sampleMilliseconds * 1e3 / Math.Max(once, 0.01), 1, 1_000_000);
                            times[key] = [];
                            continue;
                        }
                        times[key].Add(TimeOne(operands[i], shapeList[i], iterations[key]));
                    }
                }
            }
        }
        finally
        {
            Gemm.Backend = previousBackend;
            Gemm.MaxThreads = previousThreads;
        }

        var results = new List<GemmMeasurement>();
        for (int i = 0; i < shapeList.Length; i++)
        {
            foreach (string backend in backendNames)
            {
                List<double> measured = times[(backend, i)].Order().ToList();
                results.Add(new GemmMeasurement(shapeList[i], backend, threads, measured[measured.Count / 2]));
            }
        }
        return results;
    }

    /// <summary>
    /// Reads the reference torch_gemm_bench.py's output (a JSON list of {name, gflops, microseconds}) into
    /// GFLOP/s by shape name, for printing ratios next to <see cref="Measure"/>'s figures.
    /// </summary>
    public static IReadOnlyDictionary<string, double> ParseTorchReference(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        var figures = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (JsonElement entry in document.RootElement.EnumerateArray())
        {
            string name = entry.GetProperty("name").GetString()
                ?? throw new FormatException("A torch reference entry has no shape name.");
            figures[name] = entry.GetProperty("gflops").GetDouble();
        }
        return figures;
    }

    /// <summary>The name <see cref="Measure"/> accepts for <paramref name="backend"/>.</summary>
    internal static string BackendName(GemmBackend backend) => backend switch
    {
        GemmBackend.Managed512 => "managed512",
        GemmBackend.Managed256 => "managed256",
        GemmBackend.ManagedPortable => "portable",
        GemmBackend.OpenBlas => "openblas",
        _ => throw new ArgumentOutOfRangeException(nameof(backend), backend, null),
    };

    private static GemmBackend ParseBackend(string name) => name switch
    {
        "managed512" => GemmBackend.Managed512,
        "managed256" => GemmBackend.Managed256,
        "portable" => GemmBackend.ManagedPortable,
        "openblas" => GemmBackend.OpenBlas,
        _ => throw new ArgumentException($"Unknown GEMM backend '{name}'.", nameof(name)),
    };

    /// <summary>Microseconds per product over <paramref name="iterations"/> back-to-back products.</summary>
    private static double TimeOne(Operands o, GemmShape s, int iterations)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < iterations; i++)
        {
            Gemm.Multiply(s.TransA, s.TransB, s.M, s.N, s.K, o.A, o.Lda, o.B, o.Ldb, o.C, s.N);
        }
        return Stopwatch.GetElapsedTime(start).TotalMicroseconds / iterations;
    }

    /// <summary>Random operands stored as the shape's transposes require.</summary>
    private sealed class Operands
    {
        public Operands(GemmShape s)
        {
            var random = new Random(1234);
            Lda = s.TransA ? s.M : s.K;
            Ldb = s.TransB ? s.K : s.N;
            A = Fill(random, s.M * s.K);
            B = Fill(random, s.K * s.N);
            C = new float[s.M * s.N];
        }

        public float[] A { get; }
        public float[] B { get; }
        public float[] C { get; }
        public int Lda { get; }
        public int Ldb { get; }

        private static float[] Fill(Random random, int count)
        {
            var values = new float[count];
            for (int i = 0; i < count; i++)
            {
                values[i] = (float)(random.NextDouble() * 2 - 1);
            }
            return values;
        }
    }
}
