using Pipeline.Engine.Layers;
using static Pipeline.Engine.Tests.Layers.FiniteDifferences;

namespace Pipeline.Engine.Tests.Layers;

public unsafe class AttentionTests
{
    private const int Batch = 2, Time = 5, Heads = 4, KvHeads = 2, HeadDim = 4;
    private const int Stride = (Heads + 2 * KvHeads) * HeadDim;

    private static float[] Run(float[] qkv)
    {
        float[] output = new float[Batch * Time * Heads * HeadDim];
        float[] lse = new float[Batch * Heads * Time];
        float[] scratch = new float[Attention.ScratchSize(Batch, Time, Heads, KvHeads)];
        fixed (float* op = output, ap = lse, qp = qkv, sp = scratch)
        {
            Attention.Forward(op, ap, qp, sp, Batch, Time, Heads, KvHeads, HeadDim);
        }

        return output;
    }

    [Fact]
    public void Forward_FirstPositionAttendsOnlyToItself_OutputIsItsValue()
    {
        float[] qkv = Random(Batch * Time * Stride, 22);
        float[] output = Run(qkv);
        for (int h = 0; h < Heads; h++)
        {
            int kvHead = h / (Heads / KvHeads);
            int v = (Heads + KvHeads + kvHead) * HeadDim;
            Assert.Equal(qkv.AsSpan(v, HeadDim).ToArray(), output.AsSpan(h * HeadDim, HeadDim).ToArray());
        }
    }

    [Fact]
    public void Forward_CausalMask_LaterKeysAndValuesDoNotChangeEarlierOutputs()
    {
        float[] qkv = Random(Batch * Time * Stride, 23);
        float[] before = Run(qkv);
        // Change everything at position 3 of batch row 1: outputs at positions 0..2 must stay bit-identical.
        for (int i = 0; i < Stride; i++)
        {
            qkv[(Time + 3) * Stride + i] += 1f;
        }

        float[] after = Run(qkv);
        int rowWidth = Heads * HeadDim;
        Assert.Equal(before.AsSpan(Time * rowWidth, 3 * rowWidth).ToArray(), after.AsSpan(Time * rowWidth, 3 * rowWidth).ToArray());
        Assert.NotEqual(before.AsSpan((Time + 3) * rowWidth, rowWidth).ToArray(), after.AsSpan((Time + 3) * rowWidth, rowWidth).ToArray());
    }

    [Theory]
    [InlineData(Batch, Time, Heads, KvHeads, HeadDim)]
    [InlineData(1, 37, 2, 1, 24)] // three 16-row query blocks, the last one partial
    public void Backward_GroupedKvHeads_MatchesFiniteDifferences(int batch, int time, int heads, int kvHeads, int headDim)
    {
        int stride = (heads + 2 * kvHeads) * headDim;
        float[] qkv = Random(batch * time * stride, 24);
        float[] r = Random(batch * time * heads * headDim, 25);
        float[] output = new float[r.Length];
        float[] lse = new float[batch * heads * time];
        float[] scratch = new float[Attention.ScratchSize(batch, time, heads, kvHeads)];
        double Loss()
        {
            fixed (float* op = output, ap = lse, qp = qkv, sp = scratch)
            {
                Attention.Forward(op, ap, qp, sp, batch, time, heads, kvHeads, headDim);
            }

            return Weighted(r, output);
        }

        Loss();
        float[] dqkv = new float[qkv.Length];
        Array.Fill(dqkv, float.NaN); // the backward must overwrite every entry
        fixed (float* dp = dqkv, rp = r, qp = qkv, ap = lse, sp = scratch)
        {
            Attention.Backward(dp, rp, qp, ap, sp, batch, time, heads, kvHeads, headDim);
        }

        Check("dqkv", qkv, dqkv, Loss);
    }
}
