using Pipeline.Engine.Layers;
using static Pipeline.Engine.Tests.Layers.FiniteDifferences;

namespace Pipeline.Engine.Tests.Layers;

public unsafe class RopeTests
{
    [Fact]
    public void Apply_PositionOne_RotatesPairIAndIPlusHalfByThetaPower()
    {
        const int d = 4;
        var table = new RopeTable(d, 100f, 8);
        // Two rows = positions 0 and 1 of one sequence, one head each.
        float[] x = [1f, 2f, 3f, 4f, 1f, 2f, 3f, 4f];
        fixed (float* xp = x)
        {
            Rope.Apply(xp, 2, 2, d, 1, table, 0, inverse: false);
        }

        Assert.Equal([1f, 2f, 3f, 4f], x[..4]);
        // Pair (0, 2) turns by 1 rad, pair (1, 3) by 100^(-1/2) = 0.1 rad.
        Assert.Equal(1 * Math.Cos(1) - 3 * Math.Sin(1), x[4], 1e-5);
        Assert.Equal(3 * Math.Cos(1) + 1 * Math.Sin(1), x[6], 1e-5);
        Assert.Equal(2 * Math.Cos(0.1) - 4 * Math.Sin(0.1), x[5], 1e-5);
        Assert.Equal(4 * Math.Cos(0.1) + 2 * Math.Sin(0.1), x[7], 1e-5);
    }

    [Fact]
    public void Apply_Inverse_MatchesFiniteDifferencesOfForward()
    {
        const int batch = 2, time = 5, heads = 3, d = 24, stride = heads * d + 4; // 4 trailing values stay untouched
        var table = new RopeTable(d, 10000f, 16);
        float[] x = Random(batch * time * stride, 5);
        float[] r = Random(x.Length, 6);
        float[] y = new float[x.Length];
        double Loss()
        {
            x.CopyTo(y, 0);
            fixed (float* yp = y)
            {
                Rope.Apply(yp, batch * time, time, stride, heads, table, 3, inverse: false);
            }

            return Weighted(r, y);
        }

        float[] dx = (float[])r.Clone();
        fixed (float* dp = dx)
        {
            Rope.Apply(dp, batch * time, time, stride, heads, table, 3, inverse: true);
        }

        Check("dx", x, dx, Loss);
    }
}
