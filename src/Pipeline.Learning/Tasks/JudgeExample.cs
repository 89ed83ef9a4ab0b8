// A judge-training example: a verdict prompt over a correct or corrupted solution, and the verdict it should receive.
namespace Pipeline.Learning.Tasks;

/// <summary>Training text for the model-as-judge: <see cref="Prompt"/> followed by <see cref="Verdict"/>.</summary>
/// <param name="ProblemId">The problem the judged solution belongs to.</param>
/// <param name="Prompt">The verdict prompt (problem, candidate response, verdict cue).</param>
/// <param name="Verdict">The continuation to learn: the correct or the incorrect verdict word.</param>
/// <param name="IsCorrect">Whether the judged response is correct.</param>
public sealed record JudgeExample(string ProblemId, string Prompt, string Verdict, bool IsCorrect);
