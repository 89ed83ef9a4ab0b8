// Single-precision matrix products for the engine: every linear layer's forward and backward goes through here.
// Row-major throughout. op(X) is X or its transpose; lda/ldb/ldc are row strides in elements.
namespace Pipeline.Engine.Kernels;

/// <summary>Row-major SGEMM: C = op(A)·op(B) (+ C when <c>accumulate</c>).</summary>
public static unsafe class Gemm
{
    /// <summary>
    /// C[m,n] = sum_k op(A)[m,k]·op(B)[k,n], added to C when <paramref name="accumulate"/> is true, else overwriting it.
    /// op(A) is m×k (A stored k×m when <paramref name="transA"/>), op(B) is k×n (B stored n×k when <paramref name="transB"/>).
    /// </summary>
    public static void Multiply(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, bool accumulate = false)
    {
        // Reference implementation; the blocked SIMD kernel replaces the body, keeping this contract.
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float sum = 0f;
                for (int p = 0; p < k; p++)
                {
                    float av = transA ? a[p * lda + i] : a[i * lda + p];
                    float bv = transB ? b[j * ldb + p] : b[p * ldb + j];
                    sum += av * bv;
                }
                c[i * ldc + j] = accumulate ? c[i * ldc + j] + sum : sum;
            }
        }
    }
}
