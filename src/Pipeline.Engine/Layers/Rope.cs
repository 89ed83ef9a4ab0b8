// Rotary position embeddings in the HF "rotate_half" convention: dimension i pairs with i + D/2, rotated by angle
// pos·θ^(−2i/D). The backward is the inverse rotation of the gradient. Applied in place to the q and k heads of a
// fused q|k|v row.
// Shape key: N rows (B·T), T time, D head size; a row holds (H + Hkv) rotated heads followed by the v heads.
using System.Numerics;

namespace Pipeline.Engine.Layers;

/// <summary>cos/sin of pos·θ^(−2i/D) for positions [0, length) and i in [0, D/2).</summary>
internal sealed class RopeTable
{
    public RopeTable(int headDim, float theta, int length)
    {
        HeadDim = headDim;
        Length = length;
        int half = headDim / 2;
        Cos = new float[length * half];
        Sin = new float[length * half];
        for (int i = 0; i < half; i++)
        {
            // Single-precision steps as in the HF reference, so angles agree with it to float rounding.
            float inverseFrequency = 1f / MathF.Pow(theta, 2 * i / (float)headDim);
            for (int p = 0; p < length; p++)
            {
                float angle = p * inverseFrequency;
                Cos[p * half + i] = MathF.Cos(angle);
                Sin[p * half + i] = MathF.Sin(angle);
            }
        }
    }

    public int HeadDim { get; }

    public int Length { get; }

    public float[] Cos { get; }

    public float[] Sin { get; }
}

internal static unsafe class Rope
{
    /// <summary>
    /// Rotates <paramref name="heads"/> heads at the start of each of <paramref name="rows"/> rows (stride
    /// <paramref name="rowStride"/>); row n sits at position positionOffset + n % T. <paramref name="inverse"/> rotates
    /// by the negative angle, which is the backward of the forward rotation.
    /// </summary>
    public static void Apply(float* x, int rows, int time, int rowStride, int heads, RopeTable table, int positionOffset,
        bool inverse)
    {
        if (positionOffset + time > table.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(time), $"Position {positionOffset + time - 1} is beyond the rotary table ({table.Length}).");
        }

        int d = table.HeadDim;
        int half = d / 2;
        float sign = inverse ? -1f : 1f;
        float[] cosTable = table.Cos;
        float[] sinTable = table.Sin;
        Parallelism.ForRanges(rows, heads * d, (start, end) =>
        {
            fixed (float* cosBase = cosTable, sinBase = sinTable)
            {
                for (int n = start; n < end; n++)
                {
                    int position = positionOffset + n % time;
                    float* cos = cosBase + position * half;
                    float* sin = sinBase + position * half;
                    float* row = x + (long)n * rowStride;
                    for (int h = 0; h < heads; h++)
                    {
                        float* a = row + h * d;
                        float* b = a + half;
                        int i = 0;
                        for (; i <= half - Vector<float>.Count; i += Vector<float>.Count)
                        {
                            var c = Vector.Load(cos + i);
                            var s = Vector.Load(sin + i) * sign;
                            var ai = Vector.Load(a + i);
                            var bi = Vector.Load(b + i);
                            (ai * c - bi * s).Store(a + i);
                            (bi * c + ai * s).Store(b + i);
                        }

                        for (; i < half; i++)
                        {
                            float c = cos[i];
                            float s = sign * sin[i];
                            float ai = a[i];
                            float bi = b[i];
                            a[i] = ai * c - bi * s;
                            b[i] = bi * c + ai * s;
                        }
                    }
                }
            }
        });
    }
}
