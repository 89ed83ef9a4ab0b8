// How well the policy judges its own sampled responses (Meta-Rewarding's concern: the judge co-trains with the actor,
// so its accuracy is measured on what the actor now writes, not only on fixed verdict examples).
namespace Pipeline.Learning.Evaluation;

/// <summary>The judge's p(correct) on the k samples of each problem, against the verifier.</summary>
/// <param name="Accuracy">Share of samples where p(correct) ≥ ½ agrees with the verifier.</param>
/// <param name="WithinPromptAuroc">
/// Mean over problems with both right and wrong samples of the AUROC of p(correct) among that problem's samples (the
/// comparison pairs are built from); NaN when no problem is mixed.
/// </param>
/// <param name="MixedProblems">Problems the AUROC averages over.</param>
/// <param name="AnswerOnly">Whether the judge saw only each sample's final answer (TPO's judge).</param>
public sealed record SampleJudgeReport(double Accuracy, double WithinPromptAuroc, int MixedProblems, bool AnswerOnly);
