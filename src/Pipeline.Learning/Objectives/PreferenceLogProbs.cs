// One preference pair as the DPO loss sees it: the policy's per-token log-probs of both responses and the reference
// model's summed log-probs (precomputed once, since the reference does not change during the update), and the pair's
// weight in the batch (RLSF's margin), so a strong preference can count for more than a weak one.
namespace Pipeline.Learning.Objectives;

/// <summary>Log-probs of a chosen and a rejected response under the policy (per token) and the reference (summed).</summary>
/// <param name="Chosen">Policy log-probs of the chosen response's tokens.</param>
/// <param name="Rejected">Policy log-probs of the rejected response's tokens.</param>
/// <param name="ReferenceChosen">Reference log p(chosen), summed over its tokens.</param>
/// <param name="ReferenceRejected">Reference log p(rejected), summed over its tokens.</param>
/// <param name="Weight">The pair's weight in the batch's weighted mean (positive and finite; 1 for an unweighted pair).</param>
public sealed record PreferenceLogProbs(float[] Chosen, float[] Rejected, double ReferenceChosen, double ReferenceRejected, double Weight = 1);
