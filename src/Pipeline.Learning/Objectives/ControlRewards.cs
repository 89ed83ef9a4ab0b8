// Rewards of the control recipes that tell what a GRPO gain is made of: a coin flip (any gain is the update itself, not
// the signal: "spurious rewards"), and TTRL's majority reward (1 when a sample's answer is its prompt's majority answer),
// the GRPO twin of majority-vote self-training. Neither reads a gold label.
using Pipeline.Engine.Training;

namespace Pipeline.Learning.Objectives;

/// <summary>Label-free control rewards.</summary>
public static class ControlRewards
{
    /// <summary>
    /// A reward drawn from Bernoulli(½), a pure function of (seed, prompt, sample), so a recomputed shard draws the same
    /// coins and no two samples share a draw by construction.
    /// </summary>
    public static double Bernoulli(ulong seed, string promptId, int sample)
    {
        ArgumentNullException.ThrowIfNull(promptId);
        var rng = new SeededRandom(SeededRandom.DeriveSeed(seed, $"bernoulli/{promptId}/{sample}"));
        return rng.NextInt(0, 2);
    }

    /// <summary>TTRL's reward: 1 when <paramref name="answer"/> is the prompt's pseudo-label, else 0 (also 0 without an answer or label).</summary>
    public static double MatchesPseudoLabel(string? answer, string? pseudoLabel) =>
        answer is not null && pseudoLabel is not null && string.Equals(answer, pseudoLabel, StringComparison.Ordinal) ? 1 : 0;
}
