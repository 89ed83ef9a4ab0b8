// Single-precision matrix products for the engine: every linear layer's forward and backward goes through here.
// Row-major throughout. op(X) is X or its transpose; lda/ldb/ldc are row strides in elements.
// The managed path (GemmBlocked + GemmMicroKernels) is deterministic: each C element is one FMA chain over k in
// ascending order inside fixed k-blocks, whatever m, n, the thread count or the kernel width, so row i of a product
// is bitwise the same whether it was computed alone, in a batch of 64, on one core or two.
using System.Runtime.CompilerServices;

namespace Pipeline.Engine.Kernels;

/// <summary>Row-major SGEMM: C = op(A)·op(B) (+ C when <c>accumulate</c>).</summary>
public static unsafe class Gemm
{
    // Below this many multiply-adds a product runs on the calling thread: waking a worker costs more than it saves.
    private const long ParallelThreshold = 1L << 19;

    private static int maxThreads = GemmWorkers.MaxParallelism;

    /// <summary>
    /// Upper bound on the threads one product may use (default: all cores). Results do not depend on it.
    /// </summary>
    public static int MaxThreads
    {
        get => maxThreads;
        set => maxThreads = Math.Clamp(value, 1, GemmWorkers.MaxParallelism);
    }

    /// <summary>The implementation products go to; chosen once from PIPELINE_GEMM, settable for tests and benchmarks.</summary>
    internal static GemmBackend Backend { get; set; } = GemmBackendSelection.FromEnvironment();

    /// <summary>
    /// C[m,n] = sum_k op(A)[m,k]·op(B)[k,n], added to C when <paramref name="accumulate"/> is true, else overwriting it.
    /// op(A) is m×k (A stored k×m when <paramref name="transA"/>), op(B) is k×n (B stored n×k when <paramref name="transB"/>).
    /// </summary>
    public static void Multiply(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, bool accumulate = false)
    {
        CheckOperand(nameof(a), a.Length, transA ? k : m, transA ? m : k, lda);
        CheckOperand(nameof(b), b.Length, transB ? n : k, transB ? k : n, ldb);
        CheckOperand(nameof(c), c.Length, m, n, ldc);
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            Multiply(transA, transB, m, n, k, pa, lda, pb, ldb, pc, ldc, accumulate);
        }
    }

    /// <summary>
    /// Pointer form of <see cref="Multiply(bool, bool, int, int, int, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, Span{float}, int, bool)"/>
    /// for callers that already hold pinned or native memory; the extents are the caller's responsibility.
    /// </summary>
    public static void Multiply(bool transA, bool transB, int m, int n, int k,
        float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        if (m == 0 || n == 0)
        {
            return;
        }
        if (k == 0)
        {
            if (!accumulate)
            {
                for (int i = 0; i < m; i++)
                {
                    new Span<float>(c + (long)i * ldc, n).Clear();
                }
            }
            return;
        }

        var args = new GemmArguments(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
        switch (Backend)
        {
            case GemmBackend.OpenBlas:
                OpenBlasGemm.Multiply(in args);
                break;
            case GemmBackend.Managed256:
                RunManaged<MicroKernel256x14x16>(in args);
                break;
            default:
                // Single-thread medians here: 6×64 tiles ran 5-30% faster than 14×32 on the 4096-row products that
                // are at least 64 columns wide; 14×32 was 10-25% faster on the deep weight gradients (k = 4096) and
                // wastes less on narrow or odd widths (32, 344). Both give bitwise the same C.
                if (args.K <= 1024 && PaddedWidth(args.N, 64) <= args.N * 21L / 20)
                {
                    RunManaged<MicroKernel512x6x64>(in args);
                }
                else
                {
                    RunManaged<MicroKernel512x14x32>(in args);
                }
                break;
        }
    }

    private static long PaddedWidth(int n, int tileWidth) => (n + tileWidth - 1L) / tileWidth * tileWidth;

    internal static void RunManaged<TKernel>(in GemmArguments args) where TKernel : IMicroKernel
    {
        int parts = (long)args.M * args.N * args.K < ParallelThreshold ? 1 : maxThreads;
        var job = GemmPartition.Create(in args, parts, TKernel.RowsPerTile, TKernel.ColumnsPerTile);
        if (job.Parts == 1 || !GemmWorkers.TryRun(job.Parts, &RunPart<TKernel>, &job))
        {
            GemmBlocked<TKernel>.Run(in args, 0, args.M, 0, args.N);
        }
    }

    private static void RunPart<TKernel>(int part, void* state) where TKernel : IMicroKernel
    {
        var job = (GemmPartition*)state;
        job->GetRegion(part, out int rowStart, out int rowEnd, out int colStart, out int colEnd);
        if (rowStart < rowEnd && colStart < colEnd)
        {
            GemmArguments arguments = job->Arguments;
            GemmBlocked<TKernel>.Run(in arguments, rowStart, rowEnd, colStart, colEnd);
        }
    }

    private static void CheckOperand(string name, int length, int rows, int cols, int stride)
    {
        if (rows == 0 || cols == 0)
        {
            return;
        }
        if (stride < cols)
        {
            throw new ArgumentException($"Row stride {stride} of {name} is smaller than its row width {cols}.", name);
        }
        long needed = (long)(rows - 1) * stride + cols;
        if (length < needed)
        {
            throw new ArgumentException($"{name} holds {length} elements; a {rows}×{cols} matrix with stride {stride} needs {needed}.", name);
        }
    }
}

/// <summary>How one product's C is split among threads: into row bands or column bands, on tile edges.</summary>
internal readonly struct GemmPartition(in GemmArguments arguments, int parts, bool splitRows, int unitCount, int unitSize)
{
    public GemmArguments Arguments { get; } = arguments;
    public int Parts => parts;

    public static GemmPartition Create(in GemmArguments arguments, int maxParts, int rowsPerTile, int colsPerTile)
    {
        int rowTiles = (arguments.M + rowsPerTile - 1) / rowsPerTile;
        int colTiles = (arguments.N + colsPerTile - 1) / colsPerTile;
        // Each thread packs the whole of the operand along the unsplit side: split the longer side, so the copy
        // that is duplicated is the smaller one (64 generation rows × 688 columns splits the columns).
        bool splitRows = colTiles < maxParts || (rowTiles >= maxParts && arguments.M >= arguments.N);
        int units = splitRows ? rowTiles : colTiles;
        int parts = Math.Max(1, Math.Min(maxParts, units));
        return new GemmPartition(in arguments, parts, splitRows, units, splitRows ? rowsPerTile : colsPerTile);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void GetRegion(int part, out int rowStart, out int rowEnd, out int colStart, out int colEnd)
    {
        int limit = splitRows ? Arguments.M : Arguments.N;
        int start = Math.Min(limit, (int)((long)unitCount * part / parts) * unitSize);
        int end = Math.Min(limit, (int)((long)unitCount * (part + 1) / parts) * unitSize);
        if (splitRows)
        {
            (rowStart, rowEnd, colStart, colEnd) = (start, end, 0, Arguments.N);
        }
        else
        {
            (rowStart, rowEnd, colStart, colEnd) = (0, Arguments.M, start, end);
        }
    }
}
