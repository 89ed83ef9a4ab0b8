// Splits row loops across cores in a few fixed chunks: fixed chunk boundaries keep every reduction's order independent
// of thread timing, so runs are bitwise reproducible.
namespace Pipeline.Engine.Layers;

internal static class Parallelism
{
    /// <summary>Below this much work (elements touched) a loop runs on the calling thread.</summary>
    private const long SerialWork = 1 << 15;

    /// <summary>Runs <paramref name="body"/>(start, end) over [0, count) in contiguous chunks, in parallel when worthwhile.</summary>
    public static void ForRanges(int count, long workPerItem, Action<int, int> body)
    {
        int chunks = (int)Math.Min(count, Math.Max(1, Math.Min(Environment.ProcessorCount * 4L, count * workPerItem / SerialWork)));
        if (chunks <= 1)
        {
            body(0, count);
            return;
        }

        Parallel.For(0, chunks, c => body((int)((long)count * c / chunks), (int)((long)count * (c + 1) / chunks)));
    }
}
