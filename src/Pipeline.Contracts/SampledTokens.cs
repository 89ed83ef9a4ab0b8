// What the sampler drew and what it knew at each draw: the per-token numbers every later stage derives its signals from,
// computed once, by the policy that sampled them.
namespace Pipeline.Contracts;

/// <summary>The tokens of one sampled response and the statistics of the distribution each was drawn from.</summary>
/// <param name="Prompt">The tokens the policy conditioned on (BOS and the encoded prompt).</param>
/// <param name="Ids">The response tokens, the stop token included when the sampler produced one.</param>
/// <param name="Temperature">τ the response was sampled at (1 for greedy); the statistics below are of softmax(z / τ).</param>
/// <param name="Stopped">True when the response ended with a stop token, false when it hit the length limit.</param>
/// <param name="LogProbs">log p_τ(token) per response token.</param>
/// <param name="PolicyLogProbs">log p(token) at temperature 1 under the sampling policy: the update's old and reference log-probs.</param>
/// <param name="Entropies">Entropy of p_τ per token, in nats.</param>
/// <param name="SelfCertainties">KL(U ‖ p_τ) per token (INTUITOR's self-certainty), in nats.</param>
/// <param name="Top1Probs">The largest probability of p_τ per token.</param>
/// <param name="Top2Probs">The second largest probability of p_τ per token.</param>
public sealed record SampledTokens(
    int[] Prompt,
    int[] Ids,
    float Temperature,
    bool Stopped,
    float[] LogProbs,
    float[] PolicyLogProbs,
    float[] Entropies,
    float[] SelfCertainties,
    float[] Top1Probs,
    float[] Top2Probs);
