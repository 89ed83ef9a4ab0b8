// A preference pair as stored and shipped: both responses as sampled (tokens and the sampling policy's log-probs, which
// are DPO's reference when the reference is the policy that sampled them) and the scores that made the pair.
namespace Pipeline.Contracts;

/// <summary>A chosen and a rejected response to one prompt, with the scores that ordered them.</summary>
/// <param name="PromptId">Id of the prompt.</param>
/// <param name="Prompt">The prompt text.</param>
/// <param name="PromptTokens">The tokens the policy conditioned on.</param>
/// <param name="Chosen">The preferred response.</param>
/// <param name="Rejected">The other response.</param>
/// <param name="Weight">The pair's weight in the DPO loss (1 unless the recipe weights pairs, e.g. RLSF's exp(conf_c − conf_r)).</param>
public sealed record PreferencePairRecord(string PromptId, string Prompt, int[] PromptTokens, PairResponse Chosen, PairResponse Rejected,
    double Weight = 1);
