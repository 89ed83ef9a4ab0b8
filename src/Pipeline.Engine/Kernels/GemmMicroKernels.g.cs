// Register-blocked SGEMM micro-kernels: each computes one MR×NR tile of C from packed panels of A and B.
// Written by GemmMicroKernels.py (accumulators must be named locals to stay in registers): edit and rerun that, not
// this file. Every C element is a single FMA chain over k in ascending order starting from zero, then added to C
// once: lane width and tile shape never change the result, which is what makes the product independent of tiling,
// thread count and kernel choice.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Pipeline.Engine.Kernels;

/// <summary>One register-blocked tile shape for the blocked SGEMM driver.</summary>
internal unsafe interface IMicroKernel
{
    /// <summary>MR: rows of C per tile, the row count of a packed A panel.</summary>
    static abstract int RowsPerTile { get; }

    /// <summary>NR: columns of C per tile, the column count of a packed B panel.</summary>
    static abstract int ColumnsPerTile { get; }

    /// <summary>Whether this CPU runs the instructions the kernel uses.</summary>
    static abstract bool IsSupported { get; }

    /// <summary>
    /// Tile = Σ_p ap[p·MR + i]·bp[p·NR + j] over p &lt; kc; stored to c (row stride ldc), or added to it when addToC.
    /// </summary>
    static abstract void Run(int kc, float* ap, float* bp, float* c, int ldc, bool addToC);

    /// <summary>One row of a tile: Σ_p ap[p·aStride]·bp[p·NR + j], same arithmetic per element as <see cref="Run"/>.</summary>
    static abstract void RunRow(int kc, float* ap, int aStride, float* bp, float* c, bool addToC);
}

/// <summary>14×32 tile with 512-bit FMA: 28 accumulators, one broadcast of A per row and 2 loads of B per k step.</summary>
internal readonly unsafe struct MicroKernel512x14x32 : IMicroKernel
{
    public static int RowsPerTile => 14;
    public static int ColumnsPerTile => 32;
    public static bool IsSupported => Avx512F.IsSupported;

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* ap, float* bp, float* c, int ldc, bool addToC)
    {
        Vector512<float> c0_0 = default; Vector512<float> c0_1 = default;
        Vector512<float> c1_0 = default; Vector512<float> c1_1 = default;
        Vector512<float> c2_0 = default; Vector512<float> c2_1 = default;
        Vector512<float> c3_0 = default; Vector512<float> c3_1 = default;
        Vector512<float> c4_0 = default; Vector512<float> c4_1 = default;
        Vector512<float> c5_0 = default; Vector512<float> c5_1 = default;
        Vector512<float> c6_0 = default; Vector512<float> c6_1 = default;
        Vector512<float> c7_0 = default; Vector512<float> c7_1 = default;
        Vector512<float> c8_0 = default; Vector512<float> c8_1 = default;
        Vector512<float> c9_0 = default; Vector512<float> c9_1 = default;
        Vector512<float> c10_0 = default; Vector512<float> c10_1 = default;
        Vector512<float> c11_0 = default; Vector512<float> c11_1 = default;
        Vector512<float> c12_0 = default; Vector512<float> c12_1 = default;
        Vector512<float> c13_0 = default; Vector512<float> c13_1 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(bp + 0);
            Vector512<float> b1 = Vector512.Load(bp + 16);
            Vector512<float> a0 = Vector512.Create(ap[0]);
            c0_0 = Avx512F.FusedMultiplyAdd(a0, b0, c0_0); c0_1 = Avx512F.FusedMultiplyAdd(a0, b1, c0_1);
            Vector512<float> a1 = Vector512.Create(ap[1]);
            c1_0 = Avx512F.FusedMultiplyAdd(a1, b0, c1_0); c1_1 = Avx512F.FusedMultiplyAdd(a1, b1, c1_1);
            Vector512<float> a2 = Vector512.Create(ap[2]);
            c2_0 = Avx512F.FusedMultiplyAdd(a2, b0, c2_0); c2_1 = Avx512F.FusedMultiplyAdd(a2, b1, c2_1);
            Vector512<float> a3 = Vector512.Create(ap[3]);
            c3_0 = Avx512F.FusedMultiplyAdd(a3, b0, c3_0); c3_1 = Avx512F.FusedMultiplyAdd(a3, b1, c3_1);
            Vector512<float> a4 = Vector512.Create(ap[4]);
            c4_0 = Avx512F.FusedMultiplyAdd(a4, b0, c4_0); c4_1 = Avx512F.FusedMultiplyAdd(a4, b1, c4_1);
            Vector512<float> a5 = Vector512.Create(ap[5]);
            c5_0 = Avx512F.FusedMultiplyAdd(a5, b0, c5_0); c5_1 = Avx512F.FusedMultiplyAdd(a5, b1, c5_1);
            Vector512<float> a6 = Vector512.Create(ap[6]);
            c6_0 = Avx512F.FusedMultiplyAdd(a6, b0, c6_0); c6_1 = Avx512F.FusedMultiplyAdd(a6, b1, c6_1);
            Vector512<float> a7 = Vector512.Create(ap[7]);
            c7_0 = Avx512F.FusedMultiplyAdd(a7, b0, c7_0); c7_1 = Avx512F.FusedMultiplyAdd(a7, b1, c7_1);
            Vector512<float> a8 = Vector512.Create(ap[8]);
            c8_0 = Avx512F.FusedMultiplyAdd(a8, b0, c8_0); c8_1 = Avx512F.FusedMultiplyAdd(a8, b1, c8_1);
            Vector512<float> a9 = Vector512.Create(ap[9]);
            c9_0 = Avx512F.FusedMultiplyAdd(a9, b0, c9_0); c9_1 = Avx512F.FusedMultiplyAdd(a9, b1, c9_1);
            Vector512<float> a10 = Vector512.Create(ap[10]);
            c10_0 = Avx512F.FusedMultiplyAdd(a10, b0, c10_0); c10_1 = Avx512F.FusedMultiplyAdd(a10, b1, c10_1);
            Vector512<float> a11 = Vector512.Create(ap[11]);
            c11_0 = Avx512F.FusedMultiplyAdd(a11, b0, c11_0); c11_1 = Avx512F.FusedMultiplyAdd(a11, b1, c11_1);
            Vector512<float> a12 = Vector512.Create(ap[12]);
            c12_0 = Avx512F.FusedMultiplyAdd(a12, b0, c12_0); c12_1 = Avx512F.FusedMultiplyAdd(a12, b1, c12_1);
            Vector512<float> a13 = Vector512.Create(ap[13]);
            c13_0 = Avx512F.FusedMultiplyAdd(a13, b0, c13_0); c13_1 = Avx512F.FusedMultiplyAdd(a13, b1, c13_1);
            ap += 14;
            bp += 32;
        }
        if (addToC)
        {
            float* r0 = c;
            Vector512.Store(Vector512.Load(r0 + 0) + c0_0, r0 + 0); Vector512.Store(Vector512.Load(r0 + 16) + c0_1, r0 + 16);
            float* r1 = c + 1 * ldc;
            Vector512.Store(Vector512.Load(r1 + 0) + c1_0, r1 + 0); Vector512.Store(Vector512.Load(r1 + 16) + c1_1, r1 + 16);
            float* r2 = c + 2 * ldc;
            Vector512.Store(Vector512.Load(r2 + 0) + c2_0, r2 + 0); Vector512.Store(Vector512.Load(r2 + 16) + c2_1, r2 + 16);
            float* r3 = c + 3 * ldc;
            Vector512.Store(Vector512.Load(r3 + 0) + c3_0, r3 + 0); Vector512.Store(Vector512.Load(r3 + 16) + c3_1, r3 + 16);
            float* r4 = c + 4 * ldc;
            Vector512.Store(Vector512.Load(r4 + 0) + c4_0, r4 + 0); Vector512.Store(Vector512.Load(r4 + 16) + c4_1, r4 + 16);
            float* r5 = c + 5 * ldc;
            Vector512.Store(Vector512.Load(r5 + 0) + c5_0, r5 + 0); Vector512.Store(Vector512.Load(r5 + 16) + c5_1, r5 + 16);
            float* r6 = c + 6 * ldc;
            Vector512.Store(Vector512.Load(r6 + 0) + c6_0, r6 + 0); Vector512.Store(Vector512.Load(r6 + 16) + c6_1, r6 + 16);
            float* r7 = c + 7 * ldc;
            Vector512.Store(Vector512.Load(r7 + 0) + c7_0, r7 + 0); Vector512.Store(Vector512.Load(r7 + 16) + c7_1, r7 + 16);
            float* r8 = c + 8 * ldc;
            Vector512.Store(Vector512.Load(r8 + 0) + c8_0, r8 + 0); Vector512.Store(Vector512.Load(r8 + 16) + c8_1, r8 + 16);
            float* r9 = c + 9 * ldc;
            Vector512.Store(Vector512.Load(r9 + 0) + c9_0, r9 + 0); Vector512.Store(Vector512.Load(r9 + 16) + c9_1, r9 + 16);
            float* r10 = c + 10 * ldc;
            Vector512.Store(Vector512.Load(r10 + 0) + c10_0, r10 + 0); Vector512.Store(Vector512.Load(r10 + 16) + c10_1, r10 + 16);
            float* r11 = c + 11 * ldc;
            Vector512.Store(Vector512.Load(r11 + 0) + c11_0, r11 + 0); Vector512.Store(Vector512.Load(r11 + 16) + c11_1, r11 + 16);
            float* r12 = c + 12 * ldc;
            Vector512.Store(Vector512.Load(r12 + 0) + c12_0, r12 + 0); Vector512.Store(Vector512.Load(r12 + 16) + c12_1, r12 + 16);
            float* r13 = c + 13 * ldc;
            Vector512.Store(Vector512.Load(r13 + 0) + c13_0, r13 + 0); Vector512.Store(Vector512.Load(r13 + 16) + c13_1, r13 + 16);
        }
        else
        {
            float* r0 = c;
            Vector512.Store(c0_0, r0 + 0); Vector512.Store(c0_1, r0 + 16);
            float* r1 = c + 1 * ldc;
            Vector512.Store(c1_0, r1 + 0); Vector512.Store(c1_1, r1 + 16);
            float* r2 = c + 2 * ldc;
            Vector512.Store(c2_0, r2 + 0); Vector512.Store(c2_1, r2 + 16);
            float* r3 = c + 3 * ldc;
            Vector512.Store(c3_0, r3 + 0); Vector512.Store(c3_1, r3 + 16);
            float* r4 = c + 4 * ldc;
            Vector512.Store(c4_0, r4 + 0); Vector512.Store(c4_1, r4 + 16);
            float* r5 = c + 5 * ldc;
            Vector512.Store(c5_0, r5 + 0); Vector512.Store(c5_1, r5 + 16);
            float* r6 = c + 6 * ldc;
            Vector512.Store(c6_0, r6 + 0); Vector512.Store(c6_1, r6 + 16);
            float* r7 = c + 7 * ldc;
            Vector512.Store(c7_0, r7 + 0); Vector512.Store(c7_1, r7 + 16);
            float* r8 = c + 8 * ldc;
            Vector512.Store(c8_0, r8 + 0); Vector512.Store(c8_1, r8 + 16);
            float* r9 = c + 9 * ldc;
            Vector512.Store(c9_0, r9 + 0); Vector512.Store(c9_1, r9 + 16);
            float* r10 = c + 10 * ldc;
            Vector512.Store(c10_0, r10 + 0); Vector512.Store(c10_1, r10 + 16);
            float* r11 = c + 11 * ldc;
            Vector512.Store(c11_0, r11 + 0); Vector512.Store(c11_1, r11 + 16);
            float* r12 = c + 12 * ldc;
            Vector512.Store(c12_0, r12 + 0); Vector512.Store(c12_1, r12 + 16);
            float* r13 = c + 13 * ldc;
            Vector512.Store(c13_0, r13 + 0); Vector512.Store(c13_1, r13 + 16);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void RunRow(int kc, float* ap, int aStride, float* bp, float* c, bool addToC)
    {
        Vector512<float> c0 = default; Vector512<float> c1 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> a = Vector512.Create(*ap);
            c0 = Avx512F.FusedMultiplyAdd(a, Vector512.Load(bp + 0), c0); c1 = Avx512F.FusedMultiplyAdd(a, Vector512.Load(bp + 16), c1);
            ap += aStride;
            bp += 32;
        }
        if (addToC)
        {
            Vector512.Store(Vector512.Load(c + 0) + c0, c + 0); Vector512.Store(Vector512.Load(c + 16) + c1, c + 16);
        }
        else
        {
            Vector512.Store(c0, c + 0); Vector512.Store(c1, c + 16);
        }
    }
}

/// <summary>6×64 tile with 512-bit FMA: 24 accumulators, one broadcast of A per row and 4 loads of B per k step.</summary>
internal readonly unsafe struct MicroKernel512x6x64 : IMicroKernel
{
    public static int RowsPerTile => 6;
    public static int ColumnsPerTile => 64;
    public static bool IsSupported => Avx512F.IsSupported;

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* ap, float* bp, float* c, int ldc, bool addToC)
    {
        Vector512<float> c0_0 = default; Vector512<float> c0_1 = default; Vector512<float> c0_2 = default; Vector512<float> c0_3 = default;
        Vector512<float> c1_0 = default; Vector512<float> c1_1 = default; Vector512<float> c1_2 = default; Vector512<float> c1_3 = default;
        Vector512<float> c2_0 = default; Vector512<float> c2_1 = default; Vector512<float> c2_2 = default; Vector512<float> c2_3 = default;
        Vector512<float> c3_0 = default; Vector512<float> c3_1 = default; Vector512<float> c3_2 = default; Vector512<float> c3_3 = default;
        Vector512<float> c4_0 = default; Vector512<float> c4_1 = default; Vector512<float> c4_2 = default; Vector512<float> c4_3 = default;
        Vector512<float> c5_0 = default; Vector512<float> c5_1 = default; Vector512<float> c5_2 = default; Vector512<float> c5_3 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(bp + 0);
            Vector512<float> b1 = Vector512.Load(bp + 16);
            Vector512<float> b2 = Vector512.Load(bp + 32);
            Vector512<float> b3 = Vector512.Load(bp + 48);
            Vector512<float> a0 = Vector512.Create(ap[0]);
            c0_0 = Avx512F.FusedMultiplyAdd(a0, b0, c0_0); c0_1 = Avx512F.FusedMultiplyAdd(a0, b1, c0_1); c0_2 = Avx512F.FusedMultiplyAdd(a0, b2, c0_2); c0_3 = Avx512F.FusedMultiplyAdd(a0, b3, c0_3);
            Vector512<float> a1 = Vector512.Create(ap[1]);
            c1_0 = Avx512F.FusedMultiplyAdd(a1, b0, c1_0); c1_1 = Avx512F.FusedMultiplyAdd(a1, b1, c1_1); c1_2 = Avx512F.FusedMultiplyAdd(a1, b2, c1_2); c1_3 = Avx512F.FusedMultiplyAdd(a1, b3, c1_3);
            Vector512<float> a2 = Vector512.Create(ap[2]);
            c2_0 = Avx512F.FusedMultiplyAdd(a2, b0, c2_0); c2_1 = Avx512F.FusedMultiplyAdd(a2, b1, c2_1); c2_2 = Avx512F.FusedMultiplyAdd(a2, b2, c2_2); c2_3 = Avx512F.FusedMultiplyAdd(a2, b3, c2_3);
            Vector512<float> a3 = Vector512.Create(ap[3]);
            c3_0 = Avx512F.FusedMultiplyAdd(a3, b0, c3_0); c3_1 = Avx512F.FusedMultiplyAdd(a3, b1, c3_1); c3_2 = Avx512F.FusedMultiplyAdd(a3, b2, c3_2); c3_3 = Avx512F.FusedMultiplyAdd(a3, b3, c3_3);
            Vector512<float> a4 = Vector512.Create(ap[4]);
            c4_0 = Avx512F.FusedMultiplyAdd(a4, b0, c4_0); c4_1 = Avx512F.FusedMultiplyAdd(a4, b1, c4_1); c4_2 = Avx512F.FusedMultiplyAdd(a4, b2, c4_2); c4_3 = Avx512F.FusedMultiplyAdd(a4, b3, c4_3);
            Vector512<float> a5 = Vector512.Create(ap[5]);
            c5_0 = Avx512F.FusedMultiplyAdd(a5, b0, c5_0); c5_1 = Avx512F.FusedMultiplyAdd(a5, b1, c5_1); c5_2 = Avx512F.FusedMultiplyAdd(a5, b2, c5_2); c5_3 = Avx512F.FusedMultiplyAdd(a5, b3, c5_3);
            ap += 6;
            bp += 64;
        }
        if (addToC)
        {
            float* r0 = c;
            Vector512.Store(Vector512.Load(r0 + 0) + c0_0, r0 + 0); Vector512.Store(Vector512.Load(r0 + 16) + c0_1, r0 + 16); Vector512.Store(Vector512.Load(r0 + 32) + c0_2, r0 + 32); Vector512.Store(Vector512.Load(r0 + 48) + c0_3, r0 + 48);
            float* r1 = c + 1 * ldc;
            Vector512.Store(Vector512.Load(r1 + 0) + c1_0, r1 + 0); Vector512.Store(Vector512.Load(r1 + 16) + c1_1, r1 + 16); Vector512.Store(Vector512.Load(r1 + 32) + c1_2, r1 + 32); Vector512.Store(Vector512.Load(r1 + 48) + c1_3, r1 + 48);
            float* r2 = c + 2 * ldc;
            Vector512.Store(Vector512.Load(r2 + 0) + c2_0, r2 + 0); Vector512.Store(Vector512.Load(r2 + 16) + c2_1, r2 + 16); Vector512.Store(Vector512.Load(r2 + 32) + c2_2, r2 + 32); Vector512.Store(Vector512.Load(r2 + 48) + c2_3, r2 + 48);
            float* r3 = c + 3 * ldc;
            Vector512.Store(Vector512.Load(r3 + 0) + c3_0, r3 + 0); Vector512.Store(Vector512.Load(r3 + 16) + c3_1, r3 + 16); Vector512.Store(Vector512.Load(r3 + 32) + c3_2, r3 + 32); Vector512.Store(Vector512.Load(r3 + 48) + c3_3, r3 + 48);
            float* r4 = c + 4 * ldc;
            Vector512.Store(Vector512.Load(r4 + 0) + c4_0, r4 + 0); Vector512.Store(Vector512.Load(r4 + 16) + c4_1, r4 + 16); Vector512.Store(Vector512.Load(r4 + 32) + c4_2, r4 + 32); Vector512.Store(Vector512.Load(r4 + 48) + c4_3, r4 + 48);
            float* r5 = c + 5 * ldc;
            Vector512.Store(Vector512.Load(r5 + 0) + c5_0, r5 + 0); Vector512.Store(Vector512.Load(r5 + 16) + c5_1, r5 + 16); Vector512.Store(Vector512.Load(r5 + 32) + c5_2, r5 + 32); Vector512.Store(Vector512.Load(r5 + 48) + c5_3, r5 + 48);
        }
        else
        {
            float* r0 = c;
            Vector512.Store(c0_0, r0 + 0); Vector512.Store(c0_1, r0 + 16); Vector512.Store(c0_2, r0 + 32); Vector512.Store(c0_3, r0 + 48);
            float* r1 = c + 1 * ldc;
            Vector512.Store(c1_0, r1 + 0); Vector512.Store(c1_1, r1 + 16); Vector512.Store(c1_2, r1 + 32); Vector512.Store(c1_3, r1 + 48);
            float* r2 = c + 2 * ldc;
            Vector512.Store(c2_0, r2 + 0); Vector512.Store(c2_1, r2 + 16); Vector512.Store(c2_2, r2 + 32); Vector512.Store(c2_3, r2 + 48);
            float* r3 = c + 3 * ldc;
            Vector512.Store(c3_0, r3 + 0); Vector512.Store(c3_1, r3 + 16); Vector512.Store(c3_2, r3 + 32); Vector512.Store(c3_3, r3 + 48);
            float* r4 = c + 4 * ldc;
            Vector512.Store(c4_0, r4 + 0); Vector512.Store(c4_1, r4 + 16); Vector512.Store(c4_2, r4 + 32); Vector512.Store(c4_3, r4 + 48);
            float* r5 = c + 5 * ldc;
            Vector512.Store(c5_0, r5 + 0); Vector512.Store(c5_1, r5 + 16); Vector512.Store(c5_2, r5 + 32); Vector512.Store(c5_3, r5 + 48);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void RunRow(int kc, float* ap, int aStride, float* bp, float* c, bool addToC)
    {
        Vector512<float> c0 = default; Vector512<float> c1 = default; Vector512<float> c2 = default; Vector512<float> c3 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> a = Vector512.Create(*ap);
            c0 = Avx512F.FusedMultiplyAdd(a, Vector512.Load(bp + 0), c0); c1 = Avx512F.FusedMultiplyAdd(a, Vector512.Load(bp + 16), c1); c2 = Avx512F.FusedMultiplyAdd(a, Vector512.Load(bp + 32), c2); c3 = Avx512F.FusedMultiplyAdd(a, Vector512.Load(bp + 48), c3);
            ap += aStride;
            bp += 64;
        }
        if (addToC)
        {
            Vector512.Store(Vector512.Load(c + 0) + c0, c + 0); Vector512.Store(Vector512.Load(c + 16) + c1, c + 16); Vector512.Store(Vector512.Load(c + 32) + c2, c + 32); Vector512.Store(Vector512.Load(c + 48) + c3, c + 48);
        }
        else
        {
            Vector512.Store(c0, c + 0); Vector512.Store(c1, c + 16); Vector512.Store(c2, c + 32); Vector512.Store(c3, c + 48);
        }
    }
}

/// <summary>14×16 tile with 256-bit FMA: 28 accumulators, one broadcast of A per row and 2 loads of B per k step.</summary>
internal readonly unsafe struct MicroKernel256x14x16 : IMicroKernel
{
    public static int RowsPerTile => 14;
    public static int ColumnsPerTile => 16;
    public static bool IsSupported => Fma.IsSupported && Avx.IsSupported;

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* ap, float* bp, float* c, int ldc, bool addToC)
    {
        Vector256<float> c0_0 = default; Vector256<float> c0_1 = default;
        Vector256<float> c1_0 = default; Vector256<float> c1_1 = default;
        Vector256<float> c2_0 = default; Vector256<float> c2_1 = default;
        Vector256<float> c3_0 = default; Vector256<float> c3_1 = default;
        Vector256<float> c4_0 = default; Vector256<float> c4_1 = default;
        Vector256<float> c5_0 = default; Vector256<float> c5_1 = default;
        Vector256<float> c6_0 = default; Vector256<float> c6_1 = default;
        Vector256<float> c7_0 = default; Vector256<float> c7_1 = default;
        Vector256<float> c8_0 = default; Vector256<float> c8_1 = default;
        Vector256<float> c9_0 = default; Vector256<float> c9_1 = default;
        Vector256<float> c10_0 = default; Vector256<float> c10_1 = default;
        Vector256<float> c11_0 = default; Vector256<float> c11_1 = default;
        Vector256<float> c12_0 = default; Vector256<float> c12_1 = default;
        Vector256<float> c13_0 = default; Vector256<float> c13_1 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(bp + 0);
            Vector256<float> b1 = Vector256.Load(bp + 8);
            Vector256<float> a0 = Vector256.Create(ap[0]);
            c0_0 = Fma.MultiplyAdd(a0, b0, c0_0); c0_1 = Fma.MultiplyAdd(a0, b1, c0_1);
            Vector256<float> a1 = Vector256.Create(ap[1]);
            c1_0 = Fma.MultiplyAdd(a1, b0, c1_0); c1_1 = Fma.MultiplyAdd(a1, b1, c1_1);
            Vector256<float> a2 = Vector256.Create(ap[2]);
            c2_0 = Fma.MultiplyAdd(a2, b0, c2_0); c2_1 = Fma.MultiplyAdd(a2, b1, c2_1);
            Vector256<float> a3 = Vector256.Create(ap[3]);
            c3_0 = Fma.MultiplyAdd(a3, b0, c3_0); c3_1 = Fma.MultiplyAdd(a3, b1, c3_1);
            Vector256<float> a4 = Vector256.Create(ap[4]);
            c4_0 = Fma.MultiplyAdd(a4, b0, c4_0); c4_1 = Fma.MultiplyAdd(a4, b1, c4_1);
            Vector256<float> a5 = Vector256.Create(ap[5]);
            c5_0 = Fma.MultiplyAdd(a5, b0, c5_0); c5_1 = Fma.MultiplyAdd(a5, b1, c5_1);
            Vector256<float> a6 = Vector256.Create(ap[6]);
            c6_0 = Fma.MultiplyAdd(a6, b0, c6_0); c6_1 = Fma.MultiplyAdd(a6, b1, c6_1);
            Vector256<float> a7 = Vector256.Create(ap[7]);
            c7_0 = Fma.MultiplyAdd(a7, b0, c7_0); c7_1 = Fma.MultiplyAdd(a7, b1, c7_1);
            Vector256<float> a8 = Vector256.Create(ap[8]);
            c8_0 = Fma.MultiplyAdd(a8, b0, c8_0); c8_1 = Fma.MultiplyAdd(a8, b1, c8_1);
            Vector256<float> a9 = Vector256.Create(ap[9]);
            c9_0 = Fma.MultiplyAdd(a9, b0, c9_0); c9_1 = Fma.MultiplyAdd(a9, b1, c9_1);
            Vector256<float> a10 = Vector256.Create(ap[10]);
            c10_0 = Fma.MultiplyAdd(a10, b0, c10_0); c10_1 = Fma.MultiplyAdd(a10, b1, c10_1);
            Vector256<float> a11 = Vector256.Create(ap[11]);
            c11_0 = Fma.MultiplyAdd(a11, b0, c11_0); c11_1 = Fma.MultiplyAdd(a11, b1, c11_1);
            Vector256<float> a12 = Vector256.Create(ap[12]);
            c12_0 = Fma.MultiplyAdd(a12, b0, c12_0); c12_1 = Fma.MultiplyAdd(a12, b1, c12_1);
            Vector256<float> a13 = Vector256.Create(ap[13]);
            c13_0 = Fma.MultiplyAdd(a13, b0, c13_0); c13_1 = Fma.MultiplyAdd(a13, b1, c13_1);
            ap += 14;
            bp += 16;
        }
        if (addToC)
        {
            float* r0 = c;
            Vector256.Store(Vector256.Load(r0 + 0) + c0_0, r0 + 0); Vector256.Store(Vector256.Load(r0 + 8) + c0_1, r0 + 8);
            float* r1 = c + 1 * ldc;
            Vector256.Store(Vector256.Load(r1 + 0) + c1_0, r1 + 0); Vector256.Store(Vector256.Load(r1 + 8) + c1_1, r1 + 8);
            float* r2 = c + 2 * ldc;
            Vector256.Store(Vector256.Load(r2 + 0) + c2_0, r2 + 0); Vector256.Store(Vector256.Load(r2 + 8) + c2_1, r2 + 8);
            float* r3 = c + 3 * ldc;
            Vector256.Store(Vector256.Load(r3 + 0) + c3_0, r3 + 0); Vector256.Store(Vector256.Load(r3 + 8) + c3_1, r3 + 8);
            float* r4 = c + 4 * ldc;
            Vector256.Store(Vector256.Load(r4 + 0) + c4_0, r4 + 0); Vector256.Store(Vector256.Load(r4 + 8) + c4_1, r4 + 8);
            float* r5 = c + 5 * ldc;
            Vector256.Store(Vector256.Load(r5 + 0) + c5_0, r5 + 0); Vector256.Store(Vector256.Load(r5 + 8) + c5_1, r5 + 8);
            float* r6 = c + 6 * ldc;
            Vector256.Store(Vector256.Load(r6 + 0) + c6_0, r6 + 0); Vector256.Store(Vector256.Load(r6 + 8) + c6_1, r6 + 8);
            float* r7 = c + 7 * ldc;
            Vector256.Store(Vector256.Load(r7 + 0) + c7_0, r7 + 0); Vector256.Store(Vector256.Load(r7 + 8) + c7_1, r7 + 8);
            float* r8 = c + 8 * ldc;
            Vector256.Store(Vector256.Load(r8 + 0) + c8_0, r8 + 0); Vector256.Store(Vector256.Load(r8 + 8) + c8_1, r8 + 8);
            float* r9 = c + 9 * ldc;
            Vector256.Store(Vector256.Load(r9 + 0) + c9_0, r9 + 0); Vector256.Store(Vector256.Load(r9 + 8) + c9_1, r9 + 8);
            float* r10 = c + 10 * ldc;
            Vector256.Store(Vector256.Load(r10 + 0) + c10_0, r10 + 0); Vector256.Store(Vector256.Load(r10 + 8) + c10_1, r10 + 8);
            float* r11 = c + 11 * ldc;
            Vector256.Store(Vector256.Load(r11 + 0) + c11_0, r11 + 0); Vector256.Store(Vector256.Load(r11 + 8) + c11_1, r11 + 8);
            float* r12 = c + 12 * ldc;
            Vector256.Store(Vector256.Load(r12 + 0) + c12_0, r12 + 0); Vector256.Store(Vector256.Load(r12 + 8) + c12_1, r12 + 8);
            float* r13 = c + 13 * ldc;
            Vector256.Store(Vector256.Load(r13 + 0) + c13_0, r13 + 0); Vector256.Store(Vector256.Load(r13 + 8) + c13_1, r13 + 8);
        }
        else
        {
            float* r0 = c;
            Vector256.Store(c0_0, r0 + 0); Vector256.Store(c0_1, r0 + 8);
            float* r1 = c + 1 * ldc;
            Vector256.Store(c1_0, r1 + 0); Vector256.Store(c1_1, r1 + 8);
            float* r2 = c + 2 * ldc;
            Vector256.Store(c2_0, r2 + 0); Vector256.Store(c2_1, r2 + 8);
            float* r3 = c + 3 * ldc;
            Vector256.Store(c3_0, r3 + 0); Vector256.Store(c3_1, r3 + 8);
            float* r4 = c + 4 * ldc;
            Vector256.Store(c4_0, r4 + 0); Vector256.Store(c4_1, r4 + 8);
            float* r5 = c + 5 * ldc;
            Vector256.Store(c5_0, r5 + 0); Vector256.Store(c5_1, r5 + 8);
            float* r6 = c + 6 * ldc;
            Vector256.Store(c6_0, r6 + 0); Vector256.Store(c6_1, r6 + 8);
            float* r7 = c + 7 * ldc;
            Vector256.Store(c7_0, r7 + 0); Vector256.Store(c7_1, r7 + 8);
            float* r8 = c + 8 * ldc;
            Vector256.Store(c8_0, r8 + 0); Vector256.Store(c8_1, r8 + 8);
            float* r9 = c + 9 * ldc;
            Vector256.Store(c9_0, r9 + 0); Vector256.Store(c9_1, r9 + 8);
            float* r10 = c + 10 * ldc;
            Vector256.Store(c10_0, r10 + 0); Vector256.Store(c10_1, r10 + 8);
            float* r11 = c + 11 * ldc;
            Vector256.Store(c11_0, r11 + 0); Vector256.Store(c11_1, r11 + 8);
            float* r12 = c + 12 * ldc;
            Vector256.Store(c12_0, r12 + 0); Vector256.Store(c12_1, r12 + 8);
            float* r13 = c + 13 * ldc;
            Vector256.Store(c13_0, r13 + 0); Vector256.Store(c13_1, r13 + 8);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void RunRow(int kc, float* ap, int aStride, float* bp, float* c, bool addToC)
    {
        Vector256<float> c0 = default; Vector256<float> c1 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> a = Vector256.Create(*ap);
            c0 = Fma.MultiplyAdd(a, Vector256.Load(bp + 0), c0); c1 = Fma.MultiplyAdd(a, Vector256.Load(bp + 8), c1);
            ap += aStride;
            bp += 16;
        }
        if (addToC)
        {
            Vector256.Store(Vector256.Load(c + 0) + c0, c + 0); Vector256.Store(Vector256.Load(c + 8) + c1, c + 8);
        }
        else
        {
            Vector256.Store(c0, c + 0); Vector256.Store(c1, c + 8);
        }
    }
}

/// <summary>6×8 tile with 128-bit FMA: 12 accumulators, one broadcast of A per row and 2 loads of B per k step.</summary>
internal readonly unsafe struct MicroKernel128x6x8 : IMicroKernel
{
    public static int RowsPerTile => 6;
    public static int ColumnsPerTile => 8;
    public static bool IsSupported => true;

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* ap, float* bp, float* c, int ldc, bool addToC)
    {
        Vector128<float> c0_0 = default; Vector128<float> c0_1 = default;
        Vector128<float> c1_0 = default; Vector128<float> c1_1 = default;
        Vector128<float> c2_0 = default; Vector128<float> c2_1 = default;
        Vector128<float> c3_0 = default; Vector128<float> c3_1 = default;
        Vector128<float> c4_0 = default; Vector128<float> c4_1 = default;
        Vector128<float> c5_0 = default; Vector128<float> c5_1 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector128<float> b0 = Vector128.Load(bp + 0);
            Vector128<float> b1 = Vector128.Load(bp + 4);
            Vector128<float> a0 = Vector128.Create(ap[0]);
            c0_0 = Vector128.FusedMultiplyAdd(a0, b0, c0_0); c0_1 = Vector128.FusedMultiplyAdd(a0, b1, c0_1);
            Vector128<float> a1 = Vector128.Create(ap[1]);
            c1_0 = Vector128.FusedMultiplyAdd(a1, b0, c1_0); c1_1 = Vector128.FusedMultiplyAdd(a1, b1, c1_1);
            Vector128<float> a2 = Vector128.Create(ap[2]);
            c2_0 = Vector128.FusedMultiplyAdd(a2, b0, c2_0); c2_1 = Vector128.FusedMultiplyAdd(a2, b1, c2_1);
            Vector128<float> a3 = Vector128.Create(ap[3]);
            c3_0 = Vector128.FusedMultiplyAdd(a3, b0, c3_0); c3_1 = Vector128.FusedMultiplyAdd(a3, b1, c3_1);
            Vector128<float> a4 = Vector128.Create(ap[4]);
            c4_0 = Vector128.FusedMultiplyAdd(a4, b0, c4_0); c4_1 = Vector128.FusedMultiplyAdd(a4, b1, c4_1);
            Vector128<float> a5 = Vector128.Create(ap[5]);
            c5_0 = Vector128.FusedMultiplyAdd(a5, b0, c5_0); c5_1 = Vector128.FusedMultiplyAdd(a5, b1, c5_1);
            ap += 6;
            bp += 8;
        }
        if (addToC)
        {
            float* r0 = c;
            Vector128.Store(Vector128.Load(r0 + 0) + c0_0, r0 + 0); Vector128.Store(Vector128.Load(r0 + 4) + c0_1, r0 + 4);
            float* r1 = c + 1 * ldc;
            Vector128.Store(Vector128.Load(r1 + 0) + c1_0, r1 + 0); Vector128.Store(Vector128.Load(r1 + 4) + c1_1, r1 + 4);
            float* r2 = c + 2 * ldc;
            Vector128.Store(Vector128.Load(r2 + 0) + c2_0, r2 + 0); Vector128.Store(Vector128.Load(r2 + 4) + c2_1, r2 + 4);
            float* r3 = c + 3 * ldc;
            Vector128.Store(Vector128.Load(r3 + 0) + c3_0, r3 + 0); Vector128.Store(Vector128.Load(r3 + 4) + c3_1, r3 + 4);
            float* r4 = c + 4 * ldc;
            Vector128.Store(Vector128.Load(r4 + 0) + c4_0, r4 + 0); Vector128.Store(Vector128.Load(r4 + 4) + c4_1, r4 + 4);
            float* r5 = c + 5 * ldc;
            Vector128.Store(Vector128.Load(r5 + 0) + c5_0, r5 + 0); Vector128.Store(Vector128.Load(r5 + 4) + c5_1, r5 + 4);
        }
        else
        {
            float* r0 = c;
            Vector128.Store(c0_0, r0 + 0); Vector128.Store(c0_1, r0 + 4);
            float* r1 = c + 1 * ldc;
            Vector128.Store(c1_0, r1 + 0); Vector128.Store(c1_1, r1 + 4);
            float* r2 = c + 2 * ldc;
            Vector128.Store(c2_0, r2 + 0); Vector128.Store(c2_1, r2 + 4);
            float* r3 = c + 3 * ldc;
            Vector128.Store(c3_0, r3 + 0); Vector128.Store(c3_1, r3 + 4);
            float* r4 = c + 4 * ldc;
            Vector128.Store(c4_0, r4 + 0); Vector128.Store(c4_1, r4 + 4);
            float* r5 = c + 5 * ldc;
            Vector128.Store(c5_0, r5 + 0); Vector128.Store(c5_1, r5 + 4);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void RunRow(int kc, float* ap, int aStride, float* bp, float* c, bool addToC)
    {
        Vector128<float> c0 = default; Vector128<float> c1 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector128<float> a = Vector128.Create(*ap);
            c0 = Vector128.FusedMultiplyAdd(a, Vector128.Load(bp + 0), c0); c1 = Vector128.FusedMultiplyAdd(a, Vector128.Load(bp + 4), c1);
            ap += aStride;
            bp += 8;
        }
        if (addToC)
        {
            Vector128.Store(Vector128.Load(c + 0) + c0, c + 0); Vector128.Store(Vector128.Load(c + 4) + c1, c + 4);
        }
        else
        {
            Vector128.Store(c0, c + 0); Vector128.Store(c1, c + 4);
        }
    }
}
