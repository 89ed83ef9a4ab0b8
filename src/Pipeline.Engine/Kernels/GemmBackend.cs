// Which implementation Gemm.Multiply uses, read once from the PIPELINE_GEMM environment variable.
namespace Pipeline.Engine.Kernels;

/// <summary>An implementation of the product.</summary>
internal enum GemmBackend
{
    /// <summary>Managed blocked kernel with 512-bit FMA (AVX-512F).</summary>
    Managed512,

    /// <summary>Managed blocked kernel with 256-bit FMA (AVX2/FMA3).</summary>
    Managed256,

    /// <summary>cblas_sgemm from the system's OpenBLAS; not deterministic across m or thread counts.</summary>
    OpenBlas,
}

/// <summary>Maps PIPELINE_GEMM (managed | managed512 | managed256 | openblas | auto) to a backend.</summary>
internal static class GemmBackendSelection
{
    /// <summary>The variable's name.</summary>
    public const string EnvironmentVariable = "PIPELINE_GEMM";

    /// <summary>The backend the variable asks for, falling back to the fastest managed kernel this CPU runs.</summary>
    public static GemmBackend FromEnvironment() => Parse(Environment.GetEnvironmentVariable(EnvironmentVariable));

    /// <summary>
    /// Unset, "auto" and "managed" give the managed kernel: measured faster than OpenBLAS 0.3.21 here on the training
    /// shapes (see Gemm.cs) and the only deterministic one. "openblas" falls back to managed when the library is absent.
    /// </summary>
    public static GemmBackend Parse(string? value)
    {
        GemmBackend managed = BestManaged();
        return value?.Trim().ToLowerInvariant() switch
        {
            "openblas" => OpenBlasGemm.IsAvailable ? GemmBackend.OpenBlas : managed,
            "managed512" when MicroKernel512x14x32.IsSupported => GemmBackend.Managed512,
            "managed256" when MicroKernel256x14x16.IsSupported => GemmBackend.Managed256,
            _ => managed,
        };
    }

    private static GemmBackend BestManaged()
    {
        if (MicroKernel512x14x32.IsSupported)
        {
            return GemmBackend.Managed512;
        }
        if (MicroKernel256x14x16.IsSupported)
        {
            return GemmBackend.Managed256;
        }
        throw new PlatformNotSupportedException("The engine's matrix kernels need AVX2 with FMA (x86-64-v3) or AVX-512F.");
    }
}
