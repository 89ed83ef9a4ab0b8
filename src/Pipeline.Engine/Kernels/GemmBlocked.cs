// The cache-blocked SGEMM driver: packs panels of op(A) and op(B) into per-thread aligned buffers and runs a
// register-blocked micro-kernel over them. Blocking over k uses the fixed DepthBlock, so the order in which any C
// element is summed depends on k alone, never on m, n, the C region a thread was given or the tile a row fell in.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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

    // Transposing packs may write one vector past a panel's end.
    private const int PackingSlack = 16;

    /// <summary>Computes C[rows, cols] for rows in [rowStart, rowEnd) and cols in [colStart, colEnd), k &gt; 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(in GemmArguments g, int rowStart, int rowEnd, int colStart, int colEnd)
    {
        PackBuffers buffers = PackBuffers.ForCurrentThread(MC * KC + PackingSlack, NC * KC + PackingSlack, MR * NR);
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackA(in GemmArguments g, int rowStart, int rows, int depthStart, int depth, float* dest)
    {
        int mr = MR;
        for (int ir = 0; ir < rows; ir += mr)
        {
            int panelRows = Math.Min(mr, rows - ir);
            float* panel = dest + (long)ir * depth;
            if (g.TransA)
            {
                // op(A)[i, p] = A[p, i]: each p contributes a contiguous run of the panel's rows.
                float* source = g.A + (long)depthStart * g.Lda + rowStart + ir;
                GemmPacking.CopyRuns(source, g.Lda, depth, panelRows, panel, mr);
            }
            else
            {
                float* source = g.A + (long)(rowStart + ir) * g.Lda + depthStart;
                GemmPacking.TransposeRows(source, g.Lda, panelRows, depth, panel, mr);
            }
        }
    }

    /// <summary>Packs op(B)[depthStart.., colStart..] as NR-column panels laid out p-major (panel[p·NR + j]), zero-padded.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackB(in GemmArguments g, int depthStart, int depth, int colStart, int cols, float* dest)
    {
        int nr = NR;
        for (int jr = 0; jr < cols; jr += nr)
        {
            int panelCols = Math.Min(nr, cols - jr);
            float* panel = dest + (long)jr * depth;
            if (g.TransB)
            {
                // op(B)[p, j] = B[j, p]: stored rows become panel columns.
                float* source = g.B + (long)(colStart + jr) * g.Ldb + depthStart;
                GemmPacking.TransposeRows(source, g.Ldb, panelCols, depth, panel, nr);
            }
            else
            {
                float* source = g.B + (long)depthStart * g.Ldb + colStart + jr;
                GemmPacking.CopyRuns(source, g.Ldb, depth, panelCols, panel, nr);
            }
        }
    }
}

/// <summary>
/// The two packing moves. A panel is p-major with a fixed width w (MR or NR): panel[p·w + x] for x &lt; count,
/// zeros for count ≤ x &lt; w.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>
    /// panel[p·w + x] = source[p·stride + x]: each of <paramref name="depth"/> stored rows gives a run of
    /// <paramref name="count"/> contiguous values. Reads nothing outside those runs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CopyRuns(float* source, int stride, int depth, int count, float* panel, int width)
    {
        if (count == width && width >= Vector128<float>.Count)
        {
            for (int p = 0; p < depth; p++)
            {
                CopyRun(source + (long)p * stride, panel + (long)p * width, width);
            }
            return;
        }
        for (int p = 0; p < depth; p++)
        {
            float* from = source + (long)p * stride;
            float* to = panel + (long)p * width;
            for (int x = 0; x < count; x++)
            {
                to[x] = from[x];
            }
            for (int x = count; x < width; x++)
            {
                to[x] = 0f;
            }
        }
    }

    /// <summary>
    /// Copies <paramref name="length"/> (≥ 4) floats with whole vectors, the last anchored at the run's end (it may
    /// overlap its neighbour), so nothing outside the run is read or written.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyRun(float* from, float* to, int length)
    {
        if (length >= Vector256<float>.Count)
        {
            int last = length - Vector256<float>.Count;
            for (int x = 0; x < last; x += Vector256<float>.Count)
            {
                Vector256.Store(Vector256.Load(from + x), to + x);
            }
            Vector256.Store(Vector256.Load(from + last), to + last);
        }
        else
        {
            int last = length - Vector128<float>.Count;
            Vector128.Store(Vector128.Load(from), to);
            Vector128.Store(Vector128.Load(from + last), to + last);
        }
    }

    /// <summary>
    /// panel[p·w + x] = source[x·stride + p] for x &lt; count: <paramref name="count"/> stored rows of
    /// <paramref name="depth"/> values each become the panel's columns, through 8×8 register transposes.
    /// Writes up to 8 floats past the panel's end (the packing buffers carry that slack).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TransposeRows(float* source, int stride, int count, int depth, float* panel, int width)
    {
        int vectorDepth = Avx.IsSupported ? depth & ~7 : 0;
        if (vectorDepth > 0)
        {
            // Groups of 8 rows, highest first: a group that ends past the width (14 = 8 + 6) spills zeros into the next
            // p's first slots, which the lower group's stores then overwrite.
            int groups = (width + 7) / 8;
            for (int p = 0; p < vectorDepth; p += 8)
            {
                for (int group = groups - 1; group >= 0; group--)
                {
                    int firstRow = group * 8;
                    int groupRows = Math.Clamp(count - firstRow, 0, 8);
                    Transpose8x8(source + (long)firstRow * stride + p, stride, groupRows, panel + (long)p * width + firstRow, width);
                }
            }
        }
        for (int p = vectorDepth; p < depth; p++)
        {
            float* to = panel + (long)p * width;
            for (int x = 0; x < count; x++)
            {
                to[x] = source[(long)x * stride + p];
            }
            for (int x = count; x < width; x++)
            {
                to[x] = 0f;
            }
        }
    }

    /// <summary>
    /// Reads 8 columns of <paramref name="rows"/> (≤ 8) rows, missing rows as zeros, and writes column q as 8 floats
    /// at target + q·targetStride.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* source, int stride, int rows, float* target, int targetStride)
    {
        Vector256<float> r0 = rows > 0 ? Vector256.Load(source) : default;
        Vector256<float> r1 = rows > 1 ? Vector256.Load(source + stride) : default;
        Vector256<float> r2 = rows > 2 ? Vector256.Load(source + 2L * stride) : default;
        Vector256<float> r3 = rows > 3 ? Vector256.Load(source + 3L * stride) : default;
        Vector256<float> r4 = rows > 4 ? Vector256.Load(source + 4L * stride) : default;
        Vector256<float> r5 = rows > 5 ? Vector256.Load(source + 5L * stride) : default;
        Vector256<float> r6 = rows > 6 ? Vector256.Load(source + 6L * stride) : default;
        Vector256<float> r7 = rows > 7 ? Vector256.Load(source + 7L * stride) : default;

        // Interleave pairs of rows, then pairs of pairs, then swap 128-bit halves.
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44), s5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> s6 = Avx.Shuffle(t5, t7, 0x44), s7 = Avx.Shuffle(t5, t7, 0xEE);
        Vector256.Store(Avx.Permute2x128(s0, s4, 0x20), target);
        Vector256.Store(Avx.Permute2x128(s1, s5, 0x20), target + targetStride);
        Vector256.Store(Avx.Permute2x128(s2, s6, 0x20), target + 2 * targetStride);
        Vector256.Store(Avx.Permute2x128(s3, s7, 0x20), target + 3 * targetStride);
        Vector256.Store(Avx.Permute2x128(s0, s4, 0x31), target + 4 * targetStride);
        Vector256.Store(Avx.Permute2x128(s1, s5, 0x31), target + 5 * targetStride);
        Vector256.Store(Avx.Permute2x128(s2, s6, 0x31), target + 6 * targetStride);
        Vector256.Store(Avx.Permute2x128(s3, s7, 0x31), target + 7 * targetStride);
    }
}

/// <summary>The operands of one product, as raw pointers (the caller keeps them pinned for the call).</summary>
internal readonly unsafe struct GemmArguments(bool transA, bool transB, int m, int n, int k, float* a, int lda, float* b,
    int ldb, float* c, int ldc, bool accumulate)
{
    public bool TransA => transA;
    public bool TransB => transB;
    public int M => m;
    public int N => n;
    public int K => k;
    public float* A => a;
    public int Lda => lda;
    public float* B => b;
    public int Ldb => ldb;
    public float* C => c;
    public int Ldc => ldc;
    public bool Accumulate => accumulate;
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
