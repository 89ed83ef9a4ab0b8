// Normalizer sections made of several steps, and their use through Microsoft.ML.Tokenizers' Normalizer.
namespace Pipeline.Engine.Tests.Tokenization;

public class NormalizerSequenceTests
{
    [Fact]
    public void TryNormalize_NfdThenNfc_AlignsToTheOriginalInput()
    {
        // NFD reorders U+0323 (class 220) before U+0301 (230); NFC then composes a + U+0323 into U+1EA1.
        var sequence = new NormalizerSequence([false, true]);

        Assert.True(sequence.TryNormalize("a\u0301\u0323!", out string? normalized, out int[]? starts, out int[]? ends));

        Assert.Equal("\u1EA1\u0301!", normalized);
        Assert.Equal([0, 1, 3], starts);
        Assert.Equal([3, 2, 4], ends);
        Assert.Equal("\u1EA1\u0301!", sequence.Normalize("a\u0301\u0323!"));
    }

    [Fact]
    public void Normalize_NothingToChange_ReturnsTheSameString()
    {
        const string text = "already composed: café";

        Assert.Same(text, new NormalizerSequence([true]).Normalize(text));
        Assert.Equal(text, new NormalizerSequence([true]).Normalize(text.AsSpan()));
    }
}
