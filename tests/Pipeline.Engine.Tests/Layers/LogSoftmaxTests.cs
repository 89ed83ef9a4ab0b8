using Pipeline.Engine.Layers;
using static Pipeline.Engine.Tests.Layers.FiniteDifferences;

namespace Pipeline.Engine.Tests.Layers;

public unsafe class LogSoftmaxTests
{
    private const int Rows = 4, Vocab = 19;
    private static readonly int[] Targets = [5, -1, 18, 0];

    [Fact]
    public void Forward_GathersLogProbability_ZeroForNegativeTarget()
    {
        float[] logits = Random(Rows * Vocab, 19, 3f);
        float[] lse = new float[Rows];
        float[] logp = new float[Rows];
        fixed (float* lp = logp, sp = lse, xp = logits)
        fixed (int* tp = Targets)
        {
            LogSoftmax.Forward(lp, sp, xp, tp, Rows, Vocab);
        }

        for (int n = 0; n < Rows; n++)
        {
            double logSum = Math.Log(logits.Skip(n * Vocab).Take(Vocab).Sum(v => Math.Exp(v)));
            double expected = Targets[n] < 0 ? 0 : logits[n * Vocab + Targets[n]] - logSum;
            Assert.Equal(expected, logp[n], 1e-5);
        }
    }

    [Fact]
    public void Backward_MatchesFiniteDifferences_AndMasksNegativeTargets()
    {
        float[] logits = Random(Rows * Vocab, 20, 3f);
        float[] dlp = Random(Rows, 21);
        float[] lse = new float[Rows];
        float[] logp = new float[Rows];
        double Loss()
        {
            fixed (float* lp = logp, sp = lse, xp = logits)
            fixed (int* tp = Targets)
            {
                LogSoftmax.Forward(lp, sp, xp, tp, Rows, Vocab);
            }

            return Weighted(dlp, logp);
        }

        Loss();
        float[] dlogits = (float[])logits.Clone();
        fixed (float* xp = dlogits, sp = lse, dp = dlp)
        fixed (int* tp = Targets)
        {
            LogSoftmax.Backward(xp, sp, dp, tp, Rows, Vocab);
        }

        Assert.All(dlogits.AsSpan(Vocab, Vocab).ToArray(), v => Assert.Equal(0f, v));
        Check("dlogits", logits, dlogits, Loss);
    }
}
