// Correctness and determinism of Gemm.Multiply: every transpose combination against a double-precision reference,
// edge sizes and strides, accumulate, and bitwise equality of rows across batch sizes, thread counts and kernel widths.
using Pipeline.Engine.Kernels;

namespace Pipeline.Engine.Tests.Kernels;

public sealed class GemmTests
{
    public static TheoryData<bool, bool> TransposeCombinations => new()
    {
        { false, false },
        { false, true },
        { true, false },
        { true, true },
    };

    public static TheoryData<int, int, int> OddSizes => new()
    {
        { 1, 1, 1 },
        { 1, 65, 17 },
        { 3, 17, 63 },
        { 17, 3, 129 },
        { 63, 65, 3 },
        { 65, 129, 257 },
        { 129, 63, 513 },
        { 15, 33, 300 },
        { 30, 97, 1 },
    };

    [Theory]
    [MemberData(nameof(OddSizes))]
    public void Multiply_AllTransposeCombinationsOddSizes_MatchDoubleReference(int m, int n, int k)
    {
        foreach ((bool transA, bool transB) in new[] { (false, false), (false, true), (true, false), (true, true) })
        {
            foreach (bool accumulate in new[] { false, true })
            {
                var p = Problem.Create(transA, transB, m, n, k, padding: 0, seed: m * 1000 + n * 10 + k);
                p.RunAndCheck(accumulate);
            }
        }
    }

    [Theory]
    [MemberData(nameof(TransposeCombinations))]
    public void Multiply_StridesWiderThanRows_LeavesPaddingUntouchedAndMatchesReference(bool transA, bool transB)
    {
        var p = Problem.Create(transA, transB, 37, 45, 291, padding: 7, seed: 5);
        p.RunAndCheck(accumulate: true);
        p.RunAndCheck(accumulate: false);
        p.AssertPaddingUntouched();
    }

    [Theory]
    [MemberData(nameof(TransposeCombinations))]
    public void Multiply_LargeParallelProduct_MatchesDoubleReference(bool transA, bool transB)
    {
        var p = Problem.Create(transA, transB, 300, 200, 520, padding: 3, seed: 11);
        p.RunAndCheck(accumulate: false);
    }

    [Theory]
    [MemberData(nameof(TransposeCombinations))]
    public void Multiply_SingleRowVersusBatch_RowsBitwiseEqual(bool transA, bool transB)
    {
        // k = 600 spans three k-blocks; 16 and 64 rows leave partial row tiles; n = 70 runs 14×32 tiles with a partial
        // column tile, n = 128 runs 6×64 tiles.
        const int k = 600;
        foreach ((int batch, int n) in new[] { (16, 70), (64, 70), (16, 128), (64, 128) })
        {
            var p = Problem.Create(transA, transB, batch, n, k, padding: 2, seed: batch + n);
            float[] batched = p.Run(accumulate: false);
            for (int row = 0; row < batch; row++)
            {
                float[] alone = p.RunRows(row, 1);
                AssertBitwiseEqual(batched.AsSpan(row * p.Ldc, n), alone.AsSpan(0, n), $"batch {batch}, row {row}");
            }
            // A middle slice of rows, so rows land at different tile offsets than in the full batch.
            float[] slice = p.RunRows(5, 9);
            for (int row = 0; row < 9; row++)
            {
                AssertBitwiseEqual(batched.AsSpan((row + 5) * p.Ldc, n), slice.AsSpan(row * p.Ldc, n), $"slice row {row}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(TransposeCombinations))]
    public void Multiply_OneVersusAllThreads_BitwiseEqual(bool transA, bool transB)
    {
        foreach (int n in new[] { 150, 256 })
        {
            var p = Problem.Create(transA, transB, 301, n, 700, padding: 1, seed: 3);
            float[] single = WithMaxThreads(1, () => p.Run(accumulate: true));
            float[] parallel = WithMaxThreads(int.MaxValue, () => p.Run(accumulate: true));
            AssertBitwiseEqual(single, parallel, $"1 vs all threads, n = {n}");
        }
    }

    [Fact]
    public void Multiply_ColumnSplitAcrossThreads_BitwiseEqualToSingleThread()
    {
        // Few rows and many columns: the product is split along n instead of m.
        var p = Problem.Create(false, true, 20, 1500, 300, padding: 0, seed: 9);
        float[] single = WithMaxThreads(1, () => p.Run(accumulate: false));
        float[] parallel = WithMaxThreads(int.MaxValue, () => p.Run(accumulate: false));
        AssertBitwiseEqual(single, parallel, "column split");
    }

    [Theory]
    [MemberData(nameof(TransposeCombinations))]
    public void Multiply_256And512BitKernels_BitwiseEqual(bool transA, bool transB)
    {
        Assert.True(MicroKernel256x14x16.IsSupported, "the engine requires AVX2 with FMA");
        var p = Problem.Create(transA, transB, 45, 77, 530, padding: 0, seed: 21);
        GemmBackend saved = Gemm.Backend;
        try
        {
            Gemm.Backend = GemmBackend.Managed256;
            float[] narrow = p.Run(accumulate: true);
            Gemm.Backend = MicroKernel512x14x32.IsSupported ? GemmBackend.Managed512 : GemmBackend.Managed256;
            AssertBitwiseEqual(narrow, p.Run(accumulate: true), "256 vs 512 bit");
        }
        finally
        {
            Gemm.Backend = saved;
        }
    }

    [Theory]
    [MemberData(nameof(TransposeCombinations))]
    public void RunManaged_EveryTileShape_BitwiseEqualAndMatchesReference(bool transA, bool transB)
    {
        Assert.True(MicroKernel512x14x32.IsSupported, "this machine has AVX-512F; every tile shape must be exercised");
        // Odd sizes on every axis: partial tiles for 6, 14 and 16 rows and for 16, 32 and 64 columns; k spans 2 blocks.
        var p = Problem.Create(transA, transB, 23, 130, 300, padding: 1, seed: 17);
        float[] wide = p.RunWith(GemmKernel.Wide512, accumulate: true);
        p.CheckAgainstReference(wide, accumulate: true);
        AssertBitwiseEqual(wide, p.RunWith(GemmKernel.Tall512, accumulate: true), "6x64 vs 14x32");
        AssertBitwiseEqual(wide, p.RunWith(GemmKernel.Tall256, accumulate: true), "6x64 vs 256-bit 14x16");
    }

    [Fact]
    public void Multiply_ZeroDepth_ClearsOrKeepsC()
    {
        float[] c = [1f, 2f, 3f, 4f];
        Gemm.Multiply(false, false, 2, 2, 0, [], 0, [], 2, c, 2, accumulate: true);
        Assert.Equal([1f, 2f, 3f, 4f], c);
        Gemm.Multiply(false, false, 2, 2, 0, [], 0, [], 2, c, 2, accumulate: false);
        Assert.Equal([0f, 0f, 0f, 0f], c);
    }

    [Fact]
    public void Multiply_OperandTooShort_Throws()
    {
        var a = new float[2 * 3];
        var b = new float[3 * 4 - 1];
        var c = new float[2 * 4];
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, 2, 4, 3, a, 3, b, 4, c, 4));
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, 2, 4, 3, a, 2, new float[12], 4, c, 4));
    }

    [Fact]
    public void OpenBlas_WhenPresent_MatchesReferenceElseSelectionFallsBackToManaged()
    {
        if (!OpenBlasGemm.IsAvailable)
        {
            Assert.NotEqual(GemmBackend.OpenBlas, GemmBackendSelection.Parse("openblas"));
            return;
        }
        Assert.Equal(GemmBackend.OpenBlas, GemmBackendSelection.Parse("openblas"));
        foreach ((bool transA, bool transB) in new[] { (false, false), (false, true), (true, false), (true, true) })
        {
            var p = Problem.Create(transA, transB, 33, 21, 70, padding: 2, seed: 4);
            p.RunAndCheck(accumulate: true, openBlas: true);
        }
    }

    [Fact]
    public void BackendSelection_UnsetOrManaged_IsManaged()
    {
        Assert.NotEqual(GemmBackend.OpenBlas, GemmBackendSelection.Parse(null));
        Assert.NotEqual(GemmBackend.OpenBlas, GemmBackendSelection.Parse("auto"));
        Assert.Equal(GemmBackend.Managed256, GemmBackendSelection.Parse("managed256"));
    }

    public enum GemmKernel
    {
        Wide512,
        Tall512,
        Tall256,
    }

    private static float[] WithMaxThreads(int threads, Func<float[]> run)
    {
        int saved = Gemm.MaxThreads;
        try
        {
            Gemm.MaxThreads = threads;
            return run();
        }
        finally
        {
            Gemm.MaxThreads = saved;
        }
    }

    private static void AssertBitwiseEqual(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                Assert.Fail($"{what}: element {i} differs: {expected[i]:R} vs {actual[i]:R}");
            }
        }
    }

    /// <summary>Random operands stored as the transposes say, with row strides wider than rows by <c>padding</c>.</summary>
    private sealed class Problem
    {
        private const float PaddingMarker = 12345f;

        private Problem(bool transA, bool transB, int m, int n, int k, int padding, Random random)
        {
            TransA = transA;
            TransB = transB;
            M = m;
            N = n;
            K = k;
            Lda = (transA ? m : k) + padding;
            Ldb = (transB ? k : n) + padding;
            Ldc = n + padding;
            A = Fill(random, (transA ? k : m) * Lda);
            B = Fill(random, (transB ? n : k) * Ldb);
            InitialC = Fill(random, m * Ldc);
            for (int i = 0; i < m; i++)
            {
                for (int j = n; j < Ldc; j++)
                {
                    InitialC[i * Ldc + j] = PaddingMarker;
                }
            }
            LastC = InitialC;
        }

        public bool TransA { get; }
        public bool TransB { get; }
        public int M { get; }
        public int N { get; }
        public int K { get; }
        public int Lda { get; }
        public int Ldb { get; }
        public int Ldc { get; }
        public float[] A { get; }
        public float[] B { get; }
        public float[] InitialC { get; }
        private float[] LastC { get; set; }

        public static Problem Create(bool transA, bool transB, int m, int n, int k, int padding, int seed) =>
            new(transA, transB, m, n, k, padding, new Random(seed));

        public float[] Run(bool accumulate) => RunRows(0, M, accumulate);

        /// <summary>The product restricted to rows [first, first + count) of op(A), written to a fresh copy of C's rows.</summary>
        public float[] RunRows(int first, int count, bool accumulate = false)
        {
            float[] c = InitialC.AsSpan(first * Ldc, count * Ldc).ToArray();
            // Row i of op(A) starts at A[i·lda] when A is m×k, at A[i] (a column) when A is stored k×m.
            ReadOnlySpan<float> a = A.AsSpan(TransA ? first : first * Lda);
            Gemm.Multiply(TransA, TransB, count, N, K, a, Lda, B, Ldb, c, Ldc, accumulate);
            LastC = c;
            return c;
        }

        /// <summary>The product through one micro-kernel shape, on the calling thread's choice of parts.</summary>
        public unsafe float[] RunWith(GemmKernel kernel, bool accumulate)
        {
            float[] c = InitialC.ToArray();
            fixed (float* pa = A)
            fixed (float* pb = B)
            fixed (float* pc = c)
            {
                var args = new GemmArguments(TransA, TransB, M, N, K, pa, Lda, pb, Ldb, pc, Ldc, accumulate);
                switch (kernel)
                {
                    case GemmKernel.Wide512:
                        Gemm.RunManaged<MicroKernel512x6x64>(in args);
                        break;
                    case GemmKernel.Tall512:
                        Gemm.RunManaged<MicroKernel512x14x32>(in args);
                        break;
                    default:
                        Gemm.RunManaged<MicroKernel256x14x16>(in args);
                        break;
                }
            }
            LastC = c;
            return c;
        }

        public void RunAndCheck(bool accumulate, bool openBlas = false)
        {
            float[] c = InitialC.ToArray();
            if (openBlas)
            {
                unsafe
                {
                    fixed (float* pa = A)
                    fixed (float* pb = B)
                    fixed (float* pc = c)
                    {
                        OpenBlasGemm.Multiply(new GemmArguments(TransA, TransB, M, N, K, pa, Lda, pb, Ldb, pc, Ldc, accumulate));
                    }
                }
            }
            else
            {
                Gemm.Multiply(TransA, TransB, M, N, K, A, Lda, B, Ldb, c, Ldc, accumulate);
            }
            LastC = c;
            CheckAgainstReference(c, accumulate);
        }

        public void CheckAgainstReference(float[] c, bool accumulate)
        {
            for (int i = 0; i < M; i++)
            {
                for (int j = 0; j < N; j++)
                {
                    double sum = accumulate ? InitialC[i * Ldc + j] : 0;
                    double magnitude = accumulate ? Math.Abs(sum) : 0;
                    for (int p = 0; p < K; p++)
                    {
                        double product = (double)OpA(i, p) * OpB(p, j);
                        sum += product;
                        magnitude += Math.Abs(product);
                    }
                    // Sequential float summation of K+1 terms errs by at most about (K+1)·2⁻²⁴ of their magnitude.
                    double tolerance = (K + 2) * 6e-8 * magnitude + 1e-30;
                    double error = Math.Abs(c[i * Ldc + j] - sum);
                    Assert.True(error <= tolerance,
                        $"C[{i},{j}] = {c[i * Ldc + j]} but reference {sum} (error {error}, tolerance {tolerance}), " +
                        $"transA={TransA} transB={TransB} m={M} n={N} k={K} accumulate={accumulate}");
                }
            }
        }

        public void AssertPaddingUntouched()
        {
            for (int i = 0; i < M; i++)
            {
                for (int j = N; j < Ldc; j++)
                {
                    Assert.Equal(PaddingMarker, LastC[i * Ldc + j]);
                }
            }
        }

        private float OpA(int i, int p) => TransA ? A[p * Lda + i] : A[i * Lda + p];

        private float OpB(int p, int j) => TransB ? B[j * Ldb + p] : B[p * Ldb + j];

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
