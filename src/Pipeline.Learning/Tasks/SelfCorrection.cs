// The second turn of SCoRe-style self-correction: the model sees the problem, its own first attempt and a fixed
// instruction saying there may be a mistake, and writes a second, corrected attempt. The instruction never says whether
// the first attempt is wrong, so the second turn has to decide that itself; the same text is used by the bootstrap's SFT
// examples, by the campaign's second-attempt sampling and by evaluation.
namespace Pipeline.Learning.Tasks;

/// <summary>The correction prompt format shared by training, sampling and evaluation.</summary>
public static class SelfCorrection
{
    /// <summary>The fixed instruction between the first attempt and the second.</summary>
    public const string Instruction = "\nMay be wrong; correct it:";

    /// <summary>The second turn's prompt: the problem's prompt, the first attempt, then <see cref="Instruction"/>.</summary>
    public static string BuildPrompt(string prompt, string firstAttempt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(firstAttempt);
        return prompt + firstAttempt + Instruction;
    }
}
