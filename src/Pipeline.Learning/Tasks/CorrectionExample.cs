// A self-correction SFT example: a first attempt (the gold solution or one with a synthetic mistake) inside the
// correction prompt, and the second attempt to learn, which is always the gold solution.
namespace Pipeline.Learning.Tasks;

/// <summary>Training text for the second turn: <see cref="Prompt"/> followed by <see cref="Response"/>.</summary>
/// <param name="ProblemId">The problem the attempts belong to.</param>
/// <param name="Prompt">The correction prompt (<see cref="SelfCorrection.BuildPrompt"/> over the first attempt).</param>
/// <param name="Response">The second attempt to learn: the gold solution.</param>
/// <param name="Family">How the first attempt was made: <c>correct</c> or the error family's name.</param>
public sealed record CorrectionExample(string ProblemId, string Prompt, string Response, string Family);
