// The contract every embedded task satisfies: where a response's final answer is, what it says, and which characters
// the task's texts use (so a character-level tokenizer can be built from it).
namespace Pipeline.Learning.Tasks;

/// <summary>An embedded task: problems with gold answers and a delimited final answer in every response.</summary>
public interface ITask
{
    /// <summary>Short stable name, e.g. <c>arith</c>.</summary>
    string Name { get; }

    /// <summary>Every character any prompt, solution or judge text of the task can contain, each once, in ordinal order.</summary>
    string Alphabet { get; }

    /// <summary>
    /// The character range of the final answer in <paramref name="response"/>, or null when the response has no
    /// well-formed final answer.
    /// </summary>
    IndexRange? FindAnswer(string response);

    /// <summary>The final answer of <paramref name="response"/> in canonical form, or null when absent or malformed.</summary>
    string? ExtractAnswer(string response);
}
