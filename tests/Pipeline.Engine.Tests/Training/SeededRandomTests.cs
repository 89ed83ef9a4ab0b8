using Pipeline.Engine.Training;

namespace Pipeline.Engine.Tests.Training;

public class SeededRandomTests
{
    [Fact]
    public void RestoredState_ContinuesTheSameStream()
    {
        var random = new SeededRandom(99);
        random.NextUInt64();
        ulong[] state = random.State;
        ulong[] expected = Enumerable.Range(0, 5).Select(_ => random.NextUInt64()).ToArray();
        var restored = new SeededRandom(1) { State = state };
        Assert.Equal(expected, Enumerable.Range(0, 5).Select(_ => restored.NextUInt64()).ToArray());
    }

    [Fact]
    public void NextNormal_HasRoughlyZeroMeanUnitVariance()
    {
        var random = new SeededRandom(5);
        double[] samples = Enumerable.Range(0, 20000).Select(_ => random.NextNormal()).ToArray();
        Assert.InRange(samples.Average(), -0.03, 0.03);
        Assert.InRange(samples.Average(x => x * x), 0.96, 1.04);
    }

    [Fact]
    public void NextIntAndShuffle_StayInRangeAndPermute()
    {
        var random = new SeededRandom(6);
        Assert.All(Enumerable.Range(0, 1000).Select(_ => random.NextInt(7)), v => Assert.InRange(v, 0, 6));
        int[] items = Enumerable.Range(0, 50).ToArray();
        random.Shuffle<int>(items);
        Assert.NotEqual(Enumerable.Range(0, 50), items);
        Assert.Equal(Enumerable.Range(0, 50), items.Order());
    }
}
