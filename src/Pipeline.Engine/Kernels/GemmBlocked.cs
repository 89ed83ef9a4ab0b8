// The cache-blocked SGEMM driver: packs panels of op(A) and op(B) into per-thread aligned buffers and runs a
// register-blocked micro-kernel over them. Blocking over k uses the fixed DepthBlock, so the order in which any C
// element is summed depends on k alone, never on m, n, the C region a thread was given or the tile a row fell in.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pipeline.Engine.Kernels;

/// <summary>Blocking constants shared by every kernel shape.</summary>
internal static class GemmBlocking
{
    /// <summary>KC: k-depth of one packed block. Fixed (not tuned per call) because it sets the summation order.</summary>
    public const int DepthBlock = 256;

    /// <summary>MC target: rows of op(A) packed at once (rounded down to whole tiles); about 120 KiB of L2.</summary>
    public const int RowBlock = 120;

    /// <summary>NC target: columns of op(B) packed at once (rounded down to whole tiles); about 768 KiB of L2.</summary>
    public const int ColumnBlock = 768;

    /// <summary>Edge tiles with at most this many rows run row by row instead of as a zero-padded full tile.</summary>
    public const int MaxRowsForRowKernel = 3;
}

/// <summary>Blocked SGEMM over one rectangular region of C, for one micro-kernel shape.</summary>
internal static unsafe class GemmBlocked<TKernel> where TKernel : IMicroKernel
{
    private static readonly int MR = TKernel.RowsPerTile;
    private static readonly int NR = TKernel.ColumnsPerTile;
    private static readonly int MC = Math.Max(MR, GemmBlocking.RowBlock / MR * MR);
    private static readonly int NC = Math.Max(NR, GemmBlocking.ColumnBlock / NR * NR);
    private const int KC = GemmBlocking.DepthBlock;

    /// <summary>Rows per tile: region boundaries handed to threads are multiples of this where possible.</summary>
    public static int RowsPerTile => MR;

    /// <summary>Columns per tile.</summary>
    public static int ColumnsPerTile => NR;

    /// <summary>Computes C[rows, cols] for rows in [rowStart, rowEnd) and cols in [colStart, colEnd), k &gt; 0.</summary>
    public static void Run(in GemmArguments g, int rowStart, int rowEnd, int colStart, int colEnd)
    {
        PackBuffers buffers = PackBuffers.ForCurrentThread(MC * KC, NC * KC, MR * NR);
        float* packedA = buffers.A;
        float* packedB = buffers.B;
        float* edgeTile = buffers.Tile;

        for (int jc = colStart; jc < colEnd; jc += NC)
        {
            int nc = Math.Min(NC, colEnd - jc);
            for (int pc = 0; pc < g.K; pc += KC)
            {
                int kc = Math.Min(KC, g.K - pc);
                bool addToC = g.Accumulate || pc > 0;
                PackB(in g, pc, kc, jc, nc, packedB);
                for (int ic = rowStart; ic < rowEnd; ic += MC)
                {
                    int mc = Math.Min(MC, rowEnd - ic);
                    PackA(in g, ic, mc, pc, kc, packedA);
                    for (int jr = 0; jr < nc; jr += NR)
                    {
                        int nr = Math.Min(NR, nc - jr);
                        float* bPanel = packedB + (long)jr * kc;
                        for (int ir = 0; ir < mc; ir += MR)
                        {
                            int mr = Math.Min(MR, mc - ir);
                            float* aPanel = packedA + (long)ir * kc;
                            float* cTile = g.C + (long)(ic + ir) * g.Ldc + jc + jr;
                            if (mr == MR && nr == NR)
                            {
                                TKernel.Run(kc, aPanel, bPanel, cTile, g.Ldc, addToC);
                            }
                            else
                            {
                                RunEdge(kc, aPanel, bPanel, cTile, g.Ldc, mr, nr, addToC, edgeTile);
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// A partial tile: computed into a scratch tile, then stored or added element by element, so each element sees
    /// exactly the arithmetic of a full tile (one FMA chain, then one add to C).
    /// </summary>
    private static void RunEdge(int kc, float* aPanel, float* bPanel, float* c, int ldc, int mr, int nr, bool addToC, float* tile)
    {
        if (mr <= GemmBlocking.MaxRowsForRowKernel)
        {
            for (int i = 0; i < mr; i++)
            {
                TKernel.RunRow(kc, aPanel + i, MR, bPanel, tile + i * NR, addToC: false);
            }
        }
        else
        {
            TKernel.Run(kc, aPanel, bPanel, tile, NR, addToC: false);
        }

        for (int i = 0; i < mr; i++)
        {
            float* source = tile + i * NR;
            float* target = c + (long)i * ldc;
            if (addToC)
            {
                for (int j = 0; j < nr; j++)
                {
                    target[j] += source[j];
                }
            }
            else
            {
                new ReadOnlySpan<float>(source, nr).CopyTo(new Span<float>(target, nr));
            }
        }
    }

    /// <summary>Packs op(A)[rowStart.., depthStart..] as MR-row panels laid out p-major (panel[p·MR + i]), zero-padded.</summary>
    private static void PackA(in GemmArguments g, int rowStart, int rows, int depthStart, int depth, float* dest)
    {
        int mr = MR;
        for (int ir = 0; ir < rows; ir += mr)
        {
            int panelRows = Math.Min(mr, rows - ir);
            float* panel = dest + (long)ir * depth;
            if (g.TransA)
            {
                // op(A)[i, p] = A[p, i]: each p contributes a contiguous run of panelRows values.
                for (int p = 0; p < depth; p++)
                {
                    float* source = g.A + (long)(depthStart + p) * g.Lda + rowStart + ir;
                    float* target = panel + p * mr;
                    for (int i = 0; i < panelRows; i++)
                    {
                        target[i] = source[i];
                    }
                    for (int i = panelRows; i < mr; i++)
                    {
                        target[i] = 0f;
                    }
                }
            }
            else
            {
                for (int i = 0; i < panelRows; i++)
                {
                    float* source = g.A + (long)(rowStart + ir + i) * g.Lda + depthStart;
                    float* target = panel + i;
                    for (int p = 0; p < depth; p++)
                    {
                        target[p * mr] = source[p];
                    }
                }
                for (int i = panelRows; i < mr; i++)
                {
                    for (int p = 0; p < depth; p++)
                    {
                        panel[p * mr + i] = 0f;
                    }
                }
            }
        }
    }

    /// <summary>Packs op(B)[depthStart.., colStart..] as NR-column panels laid out p-major (panel[p·NR + j]), zero-padded.</summary>
    private static void PackB(in GemmArguments g, int depthStart, int depth, int colStart, int cols, float* dest)
    {
        int nr = NR;
        for (int jr = 0; jr < cols; jr += nr)
        {
            int panelCols = Math.Min(nr, cols - jr);
            float* panel = dest + (long)jr * depth;
            if (g.TransB)
            {
                // op(B)[p, j] = B[j, p]: read each stored row contiguously, scatter into the panel's column j.
                for (int j = 0; j < panelCols; j++)
                {
                    float* source = g.B + (long)(colStart + jr + j) * g.Ldb + depthStart;
                    float* target = panel + j;
                    for (int p = 0; p < depth; p++)
                    {
                        target[p * nr] = source[p];
                    }
                }
                for (int j = panelCols; j < nr; j++)
                {
                    for (int p = 0; p < depth; p++)
                    {
                        panel[p * nr + j] = 0f;
                    }
                }
            }
            else
            {
                for (int p = 0; p < depth; p++)
                {
                    float* source = g.B + (long)(depthStart + p) * g.Ldb + colStart + jr;
                    float* target = panel + p * nr;
                    new ReadOnlySpan<float>(source, panelCols).CopyTo(new Span<float>(target, panelCols));
                    if (panelCols < nr)
                    {
                        new Span<float>(target + panelCols, nr - panelCols).Clear();
                    }
                }
            }
        }
    }
}

/// <summary>The operands of one product, as raw pointers (the caller keeps them pinned for the call).</summary>
internal readonly unsafe struct GemmArguments
{
    public GemmArguments(bool transA, bool transB, int m, int n, int k, float* a, int lda, float* b, int ldb,
        float* c, int ldc, bool accumulate)
    {
        TransA = transA;
        TransB = transB;
        M = m;
        N = n;
        K = k;
        A = a;
        Lda = lda;
        B = b;
        Ldb = ldb;
        C = c;
        Ldc = ldc;
        Accumulate = accumulate;
    }

    public bool TransA { get; }
    public bool TransB { get; }
    public int M { get; }
    public int N { get; }
    public int K { get; }
    public float* A { get; }
    public int Lda { get; }
    public float* B { get; }
    public int Ldb { get; }
    public float* C { get; }
    public int Ldc { get; }
    public bool Accumulate { get; }
}

/// <summary>
/// Per-thread packing buffers, 64-byte aligned native memory reused by every product on the thread (fresh pages
/// cost about 3 µs per 4 KiB here). Freed by the finalizer once the owning thread is gone.
/// </summary>
internal sealed unsafe class PackBuffers
{
    [ThreadStatic]
    private static PackBuffers? current;

    private PackBuffers(nuint aFloats, nuint bFloats, nuint tileFloats)
    {
        ACapacity = aFloats;
        BCapacity = bFloats;
        TileCapacity = tileFloats;
        A = Allocate(aFloats);
        B = Allocate(bFloats);
        Tile = Allocate(tileFloats);
    }

    ~PackBuffers()
    {
        NativeMemory.AlignedFree(A);
        NativeMemory.AlignedFree(B);
        NativeMemory.AlignedFree(Tile);
    }

    public float* A { get; }
    public float* B { get; }
    public float* Tile { get; }
    private nuint ACapacity { get; }
    private nuint BCapacity { get; }
    private nuint TileCapacity { get; }

    /// <summary>This thread's buffers, (re)allocated only when a larger kernel shape asks for more room.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static PackBuffers ForCurrentThread(int aFloats, int bFloats, int tileFloats)
    {
        PackBuffers? buffers = current;
        if (buffers is null || buffers.ACapacity < (nuint)aFloats || buffers.BCapacity < (nuint)bFloats
            || buffers.TileCapacity < (nuint)tileFloats)
        {
            buffers = new PackBuffers(
                Math.Max((nuint)aFloats, buffers?.ACapacity ?? 0),
                Math.Max((nuint)bFloats, buffers?.BCapacity ?? 0),
                Math.Max((nuint)tileFloats, buffers?.TileCapacity ?? 0));
            current = buffers;
        }
        return buffers;
    }

    private static float* Allocate(nuint floats) => (float*)NativeMemory.AlignedAlloc(floats * sizeof(float), 64);
}
