using Pipeline.Engine.Layers;
using static Pipeline.Engine.Tests.Layers.FiniteDifferences;

namespace Pipeline.Engine.Tests.Layers;

public unsafe class RmsNormTests
{
    private const int Rows = 3, Channels = 11;

    [Fact]
    public void Forward_UnitWeights_OutputHasUnitRootMeanSquare()
    {
        float[] x = Random(Rows * Channels, 1, 3f);
        float[] w = new float[Channels];
        Array.Fill(w, 1f);
        float[] y = new float[x.Length];
        float[] rstd = new float[Rows];
        fixed (float* yp = y, rp = rstd, xp = x, wp = w)
        {
            RmsNorm.Forward(yp, rp, xp, wp, Rows, Channels, 1e-6f);
        }

        for (int n = 0; n < Rows; n++)
        {
            double meanSquare = y.AsSpan(n * Channels, Channels).ToArray().Average(v => (double)v * v);
            Assert.Equal(1.0, meanSquare, 1e-4);
        }
    }

    [Fact]
    public void Backward_MatchesFiniteDifferences_AndAddsIntoInputGradient()
    {
        float[] x = Random(Rows * Channels, 2);
        float[] w = Random(Channels, 3, 0.5f, 1f);
        float[] r = Random(Rows * Channels, 4);
        float[] y = new float[x.Length];
        float[] rstd = new float[Rows];
        double Loss()
        {
            fixed (float* yp = y, rp = rstd, xp = x, wp = w)
            {
                RmsNorm.Forward(yp, rp, xp, wp, Rows, Channels, 1e-5f);
            }

            return Weighted(r, y);
        }

        Loss();
        float[] dx = new float[x.Length];
        Array.Fill(dx, 0.25f);
        float[] dw = new float[Channels];
        fixed (float* dxp = dx, dwp = dw, rp = r, xp = x, sp = rstd, wp = w)
        {
            RmsNorm.Backward(dxp, dwp, rp, xp, sp, wp, Rows, Channels);
        }

        float[] dxOnly = dx.Select(v => v - 0.25f).ToArray();
        Check("dx", x, dxOnly, Loss);
        Check("dw", w, dw, Loss);
    }
}
