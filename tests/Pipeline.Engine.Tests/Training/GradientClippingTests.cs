using Pipeline.Engine.Training;

namespace Pipeline.Engine.Tests.Training;

public class GradientClippingTests
{
    [Fact]
    public void ClipByGlobalNorm_AboveLimit_ScalesToLimitAndReturnsOriginalNorm()
    {
        float[] g = [3f, 0f, 4f];
        double norm = GradientClipping.ClipByGlobalNorm(g, 1.0);
        Assert.Equal(5.0, norm, 1e-6);
        Assert.Equal(1.0, GradientClipping.GlobalNorm(g), 1e-5);
        Assert.Equal(0.6f, g[0], 1e-5);
    }

    [Fact]
    public void ClipByGlobalNorm_BelowLimit_LeavesGradientsUntouched()
    {
        float[] g = [0.3f, 0.4f];
        Assert.Equal(0.5, GradientClipping.ClipByGlobalNorm(g, 1.0), 1e-6);
        Assert.Equal([0.3f, 0.4f], g);
    }
}
