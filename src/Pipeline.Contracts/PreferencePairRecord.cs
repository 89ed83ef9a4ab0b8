// A preference pair as stored and shipped: texts and the scores that made it, so a person can see why it exists.
namespace Pipeline.Contracts;

/// <summary>A chosen and a rejected response to one prompt, with the scores that ordered them.</summary>
/// <param name="PromptId">Id of the prompt.</param>
/// <param name="Prompt">The prompt text.</param>
/// <param name="Chosen">The preferred response.</param>
/// <param name="Rejected">The other response.</param>
/// <param name="ChosenScore">The chosen response's score.</param>
/// <param name="RejectedScore">The rejected response's score.</param>
/// <param name="Weight">
/// The pair's weight in the DPO loss (RLSF's margin exp(conf_i − conf_j); 1 otherwise, and when a stored record lacks it).
/// </param>
public sealed record PreferencePairRecord(string PromptId, string Prompt, string Chosen, string Rejected,
    double ChosenScore, double RejectedScore, double Weight = 1);
