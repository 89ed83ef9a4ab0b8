// Made-up rollouts for tests of the stages and tools: a character per token (id = the character's code + 3, after pad,
// BOS and EOS), EOS appended, and per-token statistics that are constant unless given.
using Pipeline.Contracts;

namespace Pipeline.Testing;

public static class TestRollouts
{
    public const int Eos = 2;

    /// <summary>A rollout of <paramref name="response"/> whose tokens carry the given per-token statistics.</summary>
    public static Rollout Create(string promptId, string prompt, int sample, string response, IReadOnlyDictionary<string, double>? scores = null,
        string? answer = null, string? goldAnswer = null, float logProb = -0.5f, float entropy = 0.75f, float selfCertainty = 2.25f)
    {
        int[] ids = [.. response.Select(c => c + 3), Eos];
        float[] Fill(float value) => Enumerable.Repeat(value, ids.Length).ToArray();
        var tokens = new SampledTokens([1, .. prompt.Select(c => c + 3)], ids, 1f, Stopped: true, Fill(logProb), Fill(logProb), Fill(entropy),
            Fill(selfCertainty), Fill(MathF.Exp(logProb)), Fill(0.1f));
        return new Rollout(promptId, prompt, sample, response, tokens, answer, null, scores ?? new Dictionary<string, double>(), goldAnswer);
    }
}
