using Pipeline.Engine.Layers;
using static Pipeline.Engine.Tests.Layers.FiniteDifferences;

namespace Pipeline.Engine.Tests.Layers;

public unsafe class TileMultiplyTests
{
    // Sizes around the 4-row tile and the 32-, 16-, 8-wide and scalar column paths.
    [Theory]
    [InlineData(1, 5, 3, false)]
    [InlineData(4, 16, 9, false)]
    [InlineData(7, 33, 4, true)]
    [InlineData(9, 70, 12, true)]
    [InlineData(5, 24, 1, false)]
    public void Multiply_MatchesNaiveProduct_ForPlainAndTransposedA(int m, int n, int k, bool accumulate)
    {
        foreach (bool transposed in new[] { false, true })
        {
            // A stored m×k (row stride k + 2) or k×m (row stride m + 1, read transposed); B k×n with ldb n + 3; C ldc n + 1.
            int lda = transposed ? m + 1 : k + 2;
            float[] a = Random((transposed ? k : m) * lda, 60);
            float[] b = Random(k * (n + 3), 61);
            float[] c = Random(m * (n + 1), 62);
            float[] before = (float[])c.Clone();
            fixed (float* ap = a, bp = b, cp = c)
            {
                TileMultiply.Multiply(cp, n + 1, ap, transposed ? 1 : lda, transposed ? lda : 1, bp, n + 3, m, n, k, accumulate);
            }

            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    double expected = accumulate ? before[i * (n + 1) + j] : 0;
                    for (int p = 0; p < k; p++)
                    {
                        double av = transposed ? a[p * lda + i] : a[i * lda + p];
                        expected += av * b[p * (n + 3) + j];
                    }

                    Assert.Equal(expected, c[i * (n + 1) + j], 1e-4);
                }

                Assert.Equal(before[i * (n + 1) + n], c[i * (n + 1) + n]); // the padding column is left alone
            }
        }
    }
}
