// The difficulty knob of the arith task: how many digits each operand has and how many operations the chain holds.
namespace Pipeline.Learning.Tasks.Arith;

/// <summary>Difficulty of an arith problem.</summary>
/// <param name="Digits">Digits of every operand (1 allows 0–9; d &gt; 1 means 10^(d−1) … 10^d − 1).</param>
/// <param name="Steps">Number of operations: the chain has <paramref name="Steps"/> + 1 operands.</param>
/// <param name="Subtraction">When true, each operation is − with probability ½ if the running value stays ≥ 0.</param>
public readonly record struct ArithDifficulty(int Digits, int Steps, bool Subtraction = false)
{
    /// <summary>Stable label, e.g. <c>d2s3</c> or <c>d2s3m</c> with subtraction.</summary>
    public string Label => $"d{Digits}s{Steps}{(Subtraction ? "m" : "")}";

    internal void Validate()
    {
        if (Digits is < 1 or > 8) throw new ArgumentOutOfRangeException(nameof(Digits), Digits, "Digits must be 1 to 8.");
        if (Steps is < 1 or > 32) throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "Steps must be 1 to 32.");
    }
}
