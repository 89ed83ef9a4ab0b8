using Pipeline.Engine.Layers;
using static Pipeline.Engine.Tests.Layers.FiniteDifferences;

namespace Pipeline.Engine.Tests.Layers;

public unsafe class SwiGluTests
{
    private const int Rows = 3, Ffn = 13;

    [Fact]
    public void Forward_IsSiluOfGateTimesUp()
    {
        float[] gu = Random(Rows * 2 * Ffn, 7, 2f);
        float[] h = new float[Rows * Ffn];
        fixed (float* hp = h, gp = gu)
        {
            SwiGlu.Forward(hp, gp, Rows, Ffn);
        }

        for (int n = 0; n < Rows; n++)
        {
            for (int f = 0; f < Ffn; f++)
            {
                double g = gu[n * 2 * Ffn + f], u = gu[n * 2 * Ffn + Ffn + f];
                Assert.Equal(g / (1 + Math.Exp(-g)) * u, h[n * Ffn + f], 1e-5);
            }
        }
    }

    [Fact]
    public void Backward_MatchesFiniteDifferences()
    {
        float[] gu = Random(Rows * 2 * Ffn, 8, 2f);
        float[] r = Random(Rows * Ffn, 9);
        float[] h = new float[Rows * Ffn];
        double Loss()
        {
            fixed (float* hp = h, gp = gu)
            {
                SwiGlu.Forward(hp, gp, Rows, Ffn);
            }

            return Weighted(r, h);
        }

        float[] dgu = new float[gu.Length];
        fixed (float* dp = dgu, rp = r, gp = gu)
        {
            SwiGlu.Backward(dp, rp, gp, Rows, Ffn);
        }

        Check("dgu", gu, dgu, Loss);
    }
}
