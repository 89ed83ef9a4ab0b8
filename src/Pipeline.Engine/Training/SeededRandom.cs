// Our own seeded generator (xoshiro256**, seeded through SplitMix64) whose whole state can be saved and restored, so
// initialisation and data shuffling replay exactly when a run resumes from a checkpoint.
namespace Pipeline.Engine.Training;

/// <summary>Deterministic pseudo-random generator with a saveable 256-bit state.</summary>
public sealed class SeededRandom
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Seeds the state from <paramref name="seed"/> with SplitMix64.</summary>
    public SeededRandom(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    /// <summary>The four state words, for saving.</summary>
    public ulong[] State
    {
        get => [_s0, _s1, _s2, _s3];
        set
        {
            if (value.Length != 4 || (value[0] | value[1] | value[2] | value[3]) == 0)
            {
                throw new ArgumentException("State must be four words, not all zero.", nameof(value));
            }

            (_s0, _s1, _s2, _s3) = (value[0], value[1], value[2], value[3]);
        }
    }

    /// <summary>Next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, <paramref name="bound"/>), without modulo bias.</summary>
    public int NextInt(int bound)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bound);
        ulong limit = ulong.MaxValue - ulong.MaxValue % (ulong)bound;
        ulong x;
        do
        {
            x = NextUInt64();
        }
        while (x >= limit);
        return (int)(x % (ulong)bound);
    }

    /// <summary>Uniform integer in [<paramref name="min"/>, <paramref name="maxExclusive"/>), without modulo bias.</summary>
    public int NextInt(int min, int maxExclusive) => min + NextInt(maxExclusive - min);

    /// <summary>
    /// A seed for the stream named <paramref name="label"/> under <paramref name="seed"/>: each label (a data split, a
    /// problem id) gets its own stream, so adding draws to one never shifts another.
    /// </summary>
    public static ulong DeriveSeed(ulong seed, string label)
    {
        ulong h = seed;
        h = SplitMix64(ref h);
        foreach (char c in label)
        {
            h ^= c;
            h = SplitMix64(ref h);
        }
        return h;
    }

    /// <summary>A seed for the numbered stream <paramref name="stream"/> under <paramref name="seed"/> (e.g. one per sequence).</summary>
    public static ulong DeriveSeed(ulong seed, ulong stream)
    {
        ulong h = seed ^ 0x632BE59BD9B4E019UL;
        h = SplitMix64(ref h) ^ stream;
        return SplitMix64(ref h);
    }

    /// <summary>Standard normal sample (Box–Muller; one draw per two uniforms, so the state alone defines the stream).</summary>
    public double NextNormal()
    {
        double u1 = 1.0 - NextDouble();
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Fills <paramref name="destination"/> with normal samples of the given mean and standard deviation.</summary>
    public void FillNormal(Span<float> destination, float mean, float std)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = (float)(mean + std * NextNormal());
        }
    }

    /// <summary>Fisher–Yates shuffle in place.</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
