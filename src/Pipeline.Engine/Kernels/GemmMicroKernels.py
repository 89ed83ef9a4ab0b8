#!/usr/bin/python3
"""Writes GemmMicroKernels.g.cs: the register-blocked SGEMM tile kernels, one struct per (vector width, MR, NR).

Each kernel keeps MR x (NR / lanes) accumulators as named locals so the JIT holds them in registers, which C# cannot
express with arrays or loops over registers; hence generated code. Run from anywhere:
    python3 src/Pipeline.Engine/Kernels/GemmMicroKernels.py
"""
import os
import sys

# (vector width in bits, rows per tile, vectors per tile row): the shapes Gemm.cs dispatches to.
SHAPES = [(512, 14, 2), (512, 6, 4), (256, 14, 2), (128, 6, 2)]

HEADER = '''// Register-blocked SGEMM micro-kernels: each computes one MR×NR tile of C from packed panels of A and B.
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

'''


def kernel(width, mr, nrv):
    V = f"Vector{width}<float>"
    L = width // 32
    nr = L * nrv
    fma = {512: "Avx512F.FusedMultiplyAdd", 256: "Fma.MultiplyAdd", 128: "Vector128.FusedMultiplyAdd"}[width]
    name = f"MicroKernel{width}x{mr}x{nr}"
    o = []
    o.append(f"/// <summary>{mr}×{nr} tile with {width}-bit FMA: {mr*nrv} accumulators, one broadcast of A per row and {nrv} loads of B per k step.</summary>")
    o.append(f"internal readonly unsafe struct {name} : IMicroKernel")
    o.append("{")
    o.append(f"    public static int RowsPerTile => {mr};")
    o.append(f"    public static int ColumnsPerTile => {nr};")
    supported = {512: "Avx512F.IsSupported", 256: "Fma.IsSupported && Avx.IsSupported", 128: "true"}[width]
    o.append(f"    public static bool IsSupported => {supported};")
    o.append("")
    o.append("    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]")
    o.append("    public static void Run(int kc, float* ap, float* bp, float* c, int ldc, bool addToC)")
    o.append("    {")
    for i in range(mr):
        o.append("        " + " ".join(f"{V} c{i}_{j} = default;" for j in range(nrv)))
    o.append("        for (int p = 0; p < kc; p++)")
    o.append("        {")
    for j in range(nrv):
        o.append(f"            {V} b{j} = Vector{width}.Load(bp + {j*L});")
    for i in range(mr):
        o.append(f"            {V} a{i} = Vector{width}.Create(ap[{i}]);")
        o.append("            " + " ".join(f"c{i}_{j} = {fma}(a{i}, b{j}, c{i}_{j});" for j in range(nrv)))
    o.append(f"            ap += {mr};")
    o.append(f"            bp += {nr};")
    o.append("        }")
    def tile_stores(add):
        lines = []
        for i in range(mr):
            lines.append(f"            float* r{i} = c + {i} * ldc;" if i else f"            float* r{i} = c;")
            values = [f"Vector{width}.Load(r{i} + {j * L}) + c{i}_{j}" if add else f"c{i}_{j}" for j in range(nrv)]
            lines.append("            " + " ".join(f"Vector{width}.Store({v}, r{i} + {j * L});" for j, v in enumerate(values)))
        return lines

    o.append("        if (addToC)")
    o.append("        {")
    o.extend(tile_stores(add=True))
    o.append("        }")
    o.append("        else")
    o.append("        {")
    o.extend(tile_stores(add=False))
    o.append("        }")
    o.append("    }")
    o.append("")
    o.append("    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]")
    o.append("    public static void RunRow(int kc, float* ap, int aStride, float* bp, float* c, bool addToC)")
    o.append("    {")
    o.append("        " + " ".join(f"{V} c{j} = default;" for j in range(nrv)))
    o.append("        for (int p = 0; p < kc; p++)")
    o.append("        {")
    o.append(f"            {V} a = Vector{width}.Create(*ap);")
    o.append("            " + " ".join(f"c{j} = {fma}(a, Vector{width}.Load(bp + {j*L}), c{j});" for j in range(nrv)))
    o.append("            ap += aStride;")
    o.append(f"            bp += {nr};")
    o.append("        }")
    o.append("        if (addToC)")
    o.append("        {")
    o.append("            " + " ".join(f"Vector{width}.Store(Vector{width}.Load(c + {j*L}) + c{j}, c + {j*L});" for j in range(nrv)))
    o.append("        }")
    o.append("        else")
    o.append("        {")
    o.append("            " + " ".join(f"Vector{width}.Store(c{j}, c + {j*L});" for j in range(nrv)))
    o.append("        }")
    o.append("    }")
    o.append("}")
    return "\n".join(o)


def main():
    # An explicit target (a temp file) lets a test check that the committed file is this script's output.
    target = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "GemmMicroKernels.g.cs")
    with open(target, "w", encoding="utf-8") as f:
        f.write(HEADER + "\n\n".join(kernel(*shape) for shape in SHAPES) + "\n")


if __name__ == "__main__":
    main()
