// One side of a preference pair.
namespace Pipeline.Contracts;

/// <summary>A response of a preference pair.</summary>
/// <param name="Sample">The rollout's sample index.</param>
/// <param name="Text">The response text.</param>
/// <param name="Tokens">The sampled response tokens (stop token included when produced).</param>
/// <param name="PolicyLogProbs">log p(token) at temperature 1 under the policy that sampled it.</param>
/// <param name="Score">The score that ordered the pair (answer confidence, judge score ...).</param>
public sealed record PairResponse(int Sample, string Text, int[] Tokens, float[] PolicyLogProbs, double Score);
