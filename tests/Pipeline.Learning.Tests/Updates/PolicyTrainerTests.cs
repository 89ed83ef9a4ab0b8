// Chunked training with a save/load between chunks reproduces uninterrupted training bit for bit.
using Pipeline.Learning.Updates;

namespace Pipeline.Learning.Tests.Updates;

public sealed class PolicyTrainerTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "policy-trainer-" + Guid.NewGuid().ToString("N"));

    private static readonly PromptResponse[][] Batches =
    [
        [TinyPolicy.Pair("1+2=", "3;# 3\n"), TinyPolicy.Pair("40+2=", "42;# 42\n")],
        [TinyPolicy.Pair("9+9=", "18;# 18\n"), TinyPolicy.Pair("3+4=", "7;# 7\n"), TinyPolicy.Pair("6=", "6")],
        [TinyPolicy.Pair("10+1=", "11;# 11\n")],
        [TinyPolicy.Pair("2+2=", "4;# 4\n"), TinyPolicy.Pair("5+1=", "6;# 6\n")],
    ];

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void SaveThenLoad_BetweenTwoChunks_EqualsUninterruptedTrainingBitwise()
    {
        var options = TinyPolicy.Options(weightDecay: 0.01f, microBatch: 2) with { MaxGradientNorm = 0.5 };
        var straight = new PolicyTrainer(TinyPolicy.Create(), options, seed: 5);
        foreach (var batch in Batches) SftUpdate.Step(straight, Order(straight, batch));

        var first = new PolicyTrainer(TinyPolicy.Create(), options, seed: 5);
        foreach (var batch in Batches[..2]) SftUpdate.Step(first, Order(first, batch));
        first.Save(_folder);
        var resumed = PolicyTrainer.Load(_folder);
        foreach (var batch in Batches[2..]) SftUpdate.Step(resumed, Order(resumed, batch));

        Assert.Equal(4, resumed.Step);
        Assert.Equal(options, resumed.Options);
        Assert.Equal(straight.Random.State, resumed.Random.State);
        Assert.True(TinyPolicy.SameBits(straight.Model.Parameters, resumed.Model.Parameters));
        Assert.False(TinyPolicy.SameBits(TinyPolicy.Create().Parameters, resumed.Model.Parameters));
    }

    [Fact]
    public void Constructor_NonPositiveMicroBatch_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PolicyTrainer(TinyPolicy.Create(), TinyPolicy.Options(microBatch: 0), seed: 1));
    }

    /// <summary>Shuffles with the trainer's generator, so the resumed run must also have restored the RNG to match.</summary>
    private static PromptResponse[] Order(PolicyTrainer trainer, PromptResponse[] batch)
    {
        var copy = batch.ToArray();
        trainer.Random.Shuffle<PromptResponse>(copy);
        return copy;
    }
}
