// One generated problem of an embedded task, with its worked solution and gold answer.
namespace Pipeline.Learning.Tasks;

/// <summary>A problem: the prompt the model sees, the gold response (chain of thought ending in the delimited answer), the answer.</summary>
/// <param name="Id">Stable identifier: task, difficulty, split and index.</param>
/// <param name="Difficulty">Difficulty label, e.g. <c>d2s3</c>.</param>
/// <param name="Prompt">The text the model is conditioned on.</param>
/// <param name="Solution">The gold response that follows the prompt.</param>
/// <param name="Answer">The gold final answer in canonical form.</param>
public sealed record TaskProblem(string Id, string Difficulty, string Prompt, string Solution, string Answer);
