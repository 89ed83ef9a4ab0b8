// Optional bridge to the system's OpenBLAS (cblas_sgemm in libopenblas.so.0), loaded on first use; when the library
// is missing the managed kernel is used instead. Kept for comparison benchmarks and as an opt-in backend.
using System.Runtime.InteropServices;

namespace Pipeline.Engine.Kernels;

/// <summary>cblas_sgemm through a function pointer resolved with NativeLibrary.TryLoad.</summary>
internal static unsafe class OpenBlasGemm
{
    private const int RowMajor = 101;
    private const int NoTrans = 111;
    private const int Trans = 112;

    private static readonly delegate* unmanaged[Cdecl]<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> Sgemm;
    private static readonly delegate* unmanaged[Cdecl]<int, void> SetThreads;

    static OpenBlasGemm()
    {
        foreach (string name in new[] { "libopenblas.so.0", "libopenblas.so", "libopenblas" })
        {
            if (NativeLibrary.TryLoad(name, out IntPtr handle))
            {
                if (NativeLibrary.TryGetExport(handle, "cblas_sgemm", out IntPtr sgemm))
                {
                    Sgemm = (delegate* unmanaged[Cdecl]<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)sgemm;
                    if (NativeLibrary.TryGetExport(handle, "openblas_set_num_threads", out IntPtr setThreads))
                    {
                        SetThreads = (delegate* unmanaged[Cdecl]<int, void>)setThreads;
                    }
                    return;
                }
            }
        }
    }

    /// <summary>Whether cblas_sgemm was found.</summary>
    public static bool IsAvailable => Sgemm != null;

    /// <summary>Sets OpenBLAS's own thread count (it does not use the engine's workers).</summary>
    public static void SetThreadCount(int threads)
    {
        if (SetThreads != null)
        {
            SetThreads(threads);
        }
    }

    /// <summary>C = op(A)·op(B) (+ C), row-major; requires <see cref="IsAvailable"/>.</summary>
    public static void Multiply(in GemmArguments g)
    {
        if (Sgemm == null)
        {
            throw new InvalidOperationException("OpenBLAS (libopenblas.so.0) is not loaded.");
        }
        Sgemm(RowMajor, g.TransA ? Trans : NoTrans, g.TransB ? Trans : NoTrans, g.M, g.N, g.K,
            1f, g.A, g.Lda, g.B, g.Ldb, g.Accumulate ? 1f : 0f, g.C, g.Ldc);
    }
}
