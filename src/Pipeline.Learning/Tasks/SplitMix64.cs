// A tiny seeded generator with a fixed algorithm, so generated problem sets are identical on every runtime version
// (System.Random's seeded sequence is an implementation detail).
namespace Pipeline.Learning.Tasks;

internal struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform integer in [min, maxExclusive).</summary>
    public int Next(int min, int maxExclusive) => min + (int)(NextUInt64() % (ulong)(maxExclusive - min));

    /// <summary>A seed derived from a base seed and labels, so each split and difficulty has its own stream.</summary>
    public static ulong Derive(int seed, string label)
    {
        var mixer = new SplitMix64((ulong)(uint)seed);
        ulong h = mixer.NextUInt64();
        foreach (char c in label)
        {
            h ^= c;
            h = new SplitMix64(h).NextUInt64();
        }
        return h;
    }
}
