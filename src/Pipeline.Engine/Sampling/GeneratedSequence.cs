// The outcome of generating one sequence: its new tokens, the statistics of the distribution each was drawn from, and
// why it ended.
namespace Pipeline.Engine.Sampling;

/// <summary>Why a sequence stopped growing.</summary>
public enum FinishReason
{
    /// <summary>It produced a stop token (kept as its last token).</summary>
    Stop,

    /// <summary>It reached the new-token limit.</summary>
    Length,
}

/// <summary>One generated continuation.</summary>
/// <param name="SequenceIndex">The index whose random stream produced it (see <see cref="SamplingOptions.Seed"/>).</param>
/// <param name="Tokens">The new tokens, without the prompt.</param>
/// <param name="Statistics">
/// Per new token, the statistics of softmax(z / τ) at the sampling temperature τ (τ = 1 when greedy): the log-prob of the
/// drawn token, entropy and self-certainty. Top-k / top-p truncation is not applied to these.
/// </param>
/// <param name="PolicyLogProbs">
/// Per new token, log softmax(z)(token) at temperature 1: the policy's own probability, which updates use for ratios, KL
/// and DPO terms (equal to the statistics' log-prob when sampling at τ = 1 or greedily).
/// </param>
/// <param name="FinishReason">Stop token or length limit.</param>
public sealed record GeneratedSequence(long SequenceIndex, int[] Tokens, TokenStatistics[] Statistics, float[] PolicyLogProbs, FinishReason FinishReason);
