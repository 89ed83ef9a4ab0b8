// One preference pair between two candidates of the same prompt, with the scores that decided it.
namespace Pipeline.Learning.Pairs;

/// <summary>A chosen/rejected pair of candidates of one prompt.</summary>
/// <param name="Group">Index of the prompt's candidate group in the builder's input.</param>
/// <param name="Chosen">Index of the chosen candidate in its group.</param>
/// <param name="Rejected">Index of the rejected candidate in its group.</param>
/// <param name="ChosenScore">The chosen candidate's score (RLSF: confidence; self-rewarding: mean judge score).</param>
/// <param name="RejectedScore">The rejected candidate's score.</param>
/// <param name="Margin">Strength of the preference: RLSF exp(conf_c − conf_r); self-rewarding score_c − score_r.</param>
public sealed record PreferencePair(int Group, int Chosen, int Rejected, double ChosenScore, double RejectedScore, double Margin);
