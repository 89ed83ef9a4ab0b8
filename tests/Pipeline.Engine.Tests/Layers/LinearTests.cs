using Pipeline.Engine.Layers;
using static Pipeline.Engine.Tests.Layers.FiniteDifferences;

namespace Pipeline.Engine.Tests.Layers;

public unsafe class LinearTests
{
    private const int Rows = 4, Inputs = 6, Outputs = 5;

    [Fact]
    public void Forward_ComputesXTimesWeightTransposePlusBias()
    {
        float[] x = Random(Rows * Inputs, 12);
        float[] w = Random(Outputs * Inputs, 13);
        float[] b = Random(Outputs, 14);
        float[] y = new float[Rows * Outputs];
        fixed (float* yp = y, xp = x, wp = w, bp = b)
        {
            Linear.Forward(yp, xp, wp, bp, Rows, Inputs, Outputs);
        }

        for (int n = 0; n < Rows; n++)
        {
            for (int o = 0; o < Outputs; o++)
            {
                double expected = b[o];
                for (int i = 0; i < Inputs; i++)
                {
                    expected += (double)x[n * Inputs + i] * w[o * Inputs + i];
                }

                Assert.Equal(expected, y[n * Outputs + o], 1e-5);
            }
        }
    }

    [Fact]
    public void Backward_MatchesFiniteDifferences_ForInputWeightAndBias()
    {
        float[] x = Random(Rows * Inputs, 15);
        float[] w = Random(Outputs * Inputs, 16);
        float[] b = Random(Outputs, 17);
        float[] r = Random(Rows * Outputs, 18);
        float[] y = new float[Rows * Outputs];
        double Loss()
        {
            fixed (float* yp = y, xp = x, wp = w, bp = b)
            {
                Linear.Forward(yp, xp, wp, bp, Rows, Inputs, Outputs);
            }

            return Weighted(r, y);
        }

        float[] dx = new float[x.Length];
        float[] dw = new float[w.Length];
        float[] db = new float[b.Length];
        fixed (float* dxp = dx, dwp = dw, dbp = db, rp = r, xp = x, wp = w)
        {
            Linear.Backward(dxp, dwp, dbp, rp, xp, wp, Rows, Inputs, Outputs);
        }

        Check("dx", x, dx, Loss);
        Check("dw", w, dw, Loss);
        Check("db", b, db, Loss);
    }
}
