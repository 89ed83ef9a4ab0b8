// Register-tiled product for the small matrices inside attention (T×D by D×T and T×T by T×D per head), run on the
// calling thread because attention already parallelises over heads. A is addressed through a row and a column
// stride so a transposed operand needs no copy; B and C are row-major.
using System.Runtime.Intrinsics;

namespace Pipeline.Engine.Layers;

internal static unsafe class TileMultiply
{
    /// <summary>
    /// C[m,n] = A[m,k]·B[k,n] (added to C when <paramref name="accumulate"/>), with A(i,p) = a[i·aRow + p·aCol],
    /// B(p,j) = b[p·ldb + j], C(i,j) = c[i·ldc + j].
    /// </summary>
    public static void Multiply(float* c, int ldc, float* a, int aRow, int aCol, float* b, int ldb, int m, int n, int k,
        bool accumulate)
    {
        int i = 0;
        for (; i + 4 <= m; i += 4)
        {
            FourRows(c + (long)i * ldc, ldc, a + (long)i * aRow, aRow, aCol, b, ldb, n, k, accumulate);
        }

        for (; i < m; i++)
        {
            OneRow(c + (long)i * ldc, a + (long)i * aRow, aCol, b, ldb, n, k, accumulate);
        }
    }

    private static void FourRows(float* c, int ldc, float* a, int aRow, int aCol, float* b, int ldb, int n, int k, bool accumulate)
    {
        float* a0 = a, a1 = a + aRow, a2 = a + 2 * aRow, a3 = a + 3 * aRow;
        int j = 0;
        for (; j + 16 <= n; j += 16)
        {
            Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default;
            Vector256<float> c20 = default, c21 = default, c30 = default, c31 = default;
            float* bp = b + j;
            long ap = 0;
            for (int p = 0; p < k; p++, bp += ldb, ap += aCol)
            {
                var b0 = Vector256.Load(bp);
                var b1 = Vector256.Load(bp + 8);
                var x = Vector256.Create(a0[ap]);
                c00 = Vector256.FusedMultiplyAdd(x, b0, c00);
                c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
                x = Vector256.Create(a1[ap]);
                c10 = Vector256.FusedMultiplyAdd(x, b0, c10);
                c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
                x = Vector256.Create(a2[ap]);
                c20 = Vector256.FusedMultiplyAdd(x, b0, c20);
                c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
                x = Vector256.Create(a3[ap]);
                c30 = Vector256.FusedMultiplyAdd(x, b0, c30);
                c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
            }

            Store(c + j, c00, accumulate);
            Store(c + j + 8, c01, accumulate);
            Store(c + ldc + j, c10, accumulate);
            Store(c + ldc + j + 8, c11, accumulate);
            Store(c + 2 * ldc + j, c20, accumulate);
            Store(c + 2 * ldc + j + 8, c21, accumulate);
            Store(c + 3 * ldc + j, c30, accumulate);
            Store(c + 3 * ldc + j + 8, c31, accumulate);
        }

        for (; j + 8 <= n; j += 8)
        {
            Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default;
            float* bp = b + j;
            long ap = 0;
            for (int p = 0; p < k; p++, bp += ldb, ap += aCol)
            {
                var b0 = Vector256.Load(bp);
                c0 = Vector256.FusedMultiplyAdd(Vector256.Create(a0[ap]), b0, c0);
                c1 = Vector256.FusedMultiplyAdd(Vector256.Create(a1[ap]), b0, c1);
                c2 = Vector256.FusedMultiplyAdd(Vector256.Create(a2[ap]), b0, c2);
                c3 = Vector256.FusedMultiplyAdd(Vector256.Create(a3[ap]), b0, c3);
            }

            Store(c + j, c0, accumulate);
            Store(c + ldc + j, c1, accumulate);
            Store(c + 2 * ldc + j, c2, accumulate);
            Store(c + 3 * ldc + j, c3, accumulate);
        }

        if (j < n)
        {
            for (int r = 0; r < 4; r++)
            {
                Tail(c + (long)r * ldc, a + (long)r * aRow, aCol, b, ldb, j, n, k, accumulate);
            }
        }
    }

    private static void OneRow(float* c, float* a, int aCol, float* b, int ldb, int n, int k, bool accumulate)
    {
        int j = 0;
        for (; j + 8 <= n; j += 8)
        {
            Vector256<float> c0 = default;
            float* bp = b + j;
            long ap = 0;
            for (int p = 0; p < k; p++, bp += ldb, ap += aCol)
            {
                c0 = Vector256.FusedMultiplyAdd(Vector256.Create(a[ap]), Vector256.Load(bp), c0);
            }

            Store(c + j, c0, accumulate);
        }

        Tail(c, a, aCol, b, ldb, j, n, k, accumulate);
    }

    private static void Tail(float* c, float* a, int aCol, float* b, int ldb, int from, int n, int k, bool accumulate)
    {
        for (int j = from; j < n; j++)
        {
            float sum = 0f;
            for (int p = 0; p < k; p++)
            {
                sum = MathF.FusedMultiplyAdd(a[(long)p * aCol], b[(long)p * ldb + j], sum);
            }

            c[j] = accumulate ? c[j] + sum : sum;
        }
    }

    private static void Store(float* c, Vector256<float> value, bool accumulate)
    {
        if (accumulate)
        {
            value += Vector256.Load(c);
        }

        value.Store(c);
    }
}
