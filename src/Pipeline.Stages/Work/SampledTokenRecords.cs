// Between the sampler's per-token statistics and the flat arrays a rollout stores: one conversion each way, so every
// stage derives its signals from exactly the numbers the sampler computed.
using Pipeline.Contracts;
using Pipeline.Engine.Sampling;
using Pipeline.Learning.Signals;
using Pipeline.Learning.Updates;

namespace Pipeline.Stages.Work;

internal static class SampledTokenRecords
{
    /// <summary>The stored form of a generated sequence sampled at <paramref name="temperature"/> after <paramref name="prompt"/>.</summary>
    public static SampledTokens From(int[] prompt, GeneratedSequence sequence, float temperature)
    {
        var s = sequence.Statistics;
        return new SampledTokens(prompt, sequence.Tokens, temperature == 0f ? 1f : temperature, sequence.FinishReason == FinishReason.Stop,
            [.. s.Select(t => t.LogProb)], sequence.PolicyLogProbs, [.. s.Select(t => t.Entropy)], [.. s.Select(t => t.SelfCertainty)],
            [.. s.Select(t => t.Top1Prob)], [.. s.Select(t => t.Top2Prob)]);
    }

    /// <summary>The per-token statistics (at the sampling temperature) a rollout stores.</summary>
    /// <exception cref="InvalidDataException">The arrays disagree in length with the token ids.</exception>
    public static TokenStatistics[] Statistics(SampledTokens tokens)
    {
        int n = tokens.Ids.Length;
        if (tokens.LogProbs.Length != n || tokens.PolicyLogProbs.Length != n || tokens.Entropies.Length != n
            || tokens.SelfCertainties.Length != n || tokens.Top1Probs.Length != n || tokens.Top2Probs.Length != n)
            throw new InvalidDataException($"A rollout's per-token statistics do not match its {n} token ids.");
        var result = new TokenStatistics[n];
        for (int i = 0; i < n; i++)
            result[i] = new TokenStatistics(tokens.LogProbs[i], tokens.Entropies[i], tokens.SelfCertainties[i], tokens.Top1Probs[i], tokens.Top2Probs[i]);
        return result;
    }

    /// <summary>The response's signals from its stored statistics (no model pass).</summary>
    public static ResponseSignals Signals(SampledTokens tokens) => ResponseSignals.FromTokens(Statistics(tokens));

    /// <summary>Mean self-certainty over the response tokens.</summary>
    public static double SelfCertainty(SampledTokens tokens) => tokens.SelfCertainties.Length == 0 ? 0 : tokens.SelfCertainties.Average(v => (double)v);

    /// <summary>(prompt tokens, response tokens) exactly as sampled.</summary>
    public static PromptResponse Sequence(SampledTokens tokens) => new(tokens.Prompt, tokens.Ids);
}
