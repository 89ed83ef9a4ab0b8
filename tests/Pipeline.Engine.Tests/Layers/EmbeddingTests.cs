using Pipeline.Engine.Layers;
using static Pipeline.Engine.Tests.Layers.FiniteDifferences;

namespace Pipeline.Engine.Tests.Layers;

public unsafe class EmbeddingTests
{
    private const int Vocab = 7, Channels = 5;
    private static readonly int[] Tokens = [3, 0, 3, 6, 3];

    [Fact]
    public void Backward_RepeatedTokens_MatchesFiniteDifferences()
    {
        float[] wte = Random(Vocab * Channels, 10);
        float[] r = Random(Tokens.Length * Channels, 11);
        float[] x = new float[Tokens.Length * Channels];
        double Loss()
        {
            fixed (float* xp = x, wp = wte)
            {
                Embedding.Forward(xp, Tokens, wp, Vocab, Channels);
            }

            return Weighted(r, x);
        }

        Loss();
        Assert.Equal(wte.AsSpan(6 * Channels, Channels).ToArray(), x.AsSpan(3 * Channels, Channels).ToArray());
        float[] dwte = new float[wte.Length];
        fixed (float* dp = dwte, rp = r)
        {
            Embedding.Backward(dp, rp, Tokens, Channels);
        }

        Check("dwte", wte, dwte, Loss);
    }

    [Fact]
    public void Forward_TokenOutsideVocabulary_Throws()
    {
        float[] wte = new float[Vocab * Channels];
        float[] x = new float[Channels];
        Assert.Throws<ArgumentOutOfRangeException>(() =>
        {
            fixed (float* xp = x, wp = wte)
            {
                Embedding.Forward(xp, [Vocab], wp, Vocab, Channels);
            }
        });
    }
}
