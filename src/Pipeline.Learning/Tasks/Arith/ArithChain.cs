// An arith problem as numbers: operands, operators, and the running values a solution writes down. Formats prompts
// and solutions, so the gold and corrupted solutions share one layout.
using System.Globalization;
using System.Text;

using Pipeline.Engine.Training;

namespace Pipeline.Learning.Tasks.Arith;

internal sealed class ArithChain
{
    public ArithChain(int[] operands, char[] operators)
    {
        if (operands.Length != operators.Length + 1) throw new ArgumentException("A chain has one operand more than operators.");
        Operands = operands;
        Operators = operators;
    }

    public int[] Operands { get; }
    public char[] Operators { get; }

    public static ArithChain Random(SeededRandom rng, ArithDifficulty difficulty)
    {
        int low = difficulty.Digits == 1 ? 0 : Pow10(difficulty.Digits - 1);
        int high = Pow10(difficulty.Digits);
        var operands = new int[difficulty.Steps + 1];
        var operators = new char[difficulty.Steps];
        operands[0] = rng.NextInt(low, high);
        int running = operands[0];
        for (int k = 0; k < difficulty.Steps; k++)
        {
            int x = rng.NextInt(low, high);
            bool subtract = difficulty.Subtraction && rng.NextInt(0, 2) == 1 && running - x >= 0;
            operators[k] = subtract ? '-' : '+';
            operands[k + 1] = x;
            running = Apply(running, operators[k], x);
        }
        return new ArithChain(operands, operators);
    }

    /// <summary>
    /// The running value after each operation. When <paramref name="replacedStep"/> ≥ 0 that step's result is replaced by
    /// <paramref name="replacement"/> and the later steps are computed from it (an error carried forward).
    /// </summary>
    public int[] RunningValues(int replacedStep = -1, int replacement = 0)
    {
        var values = new int[Operators.Length];
        int running = Operands[0];
        for (int k = 0; k < Operators.Length; k++)
        {
            running = k == replacedStep ? replacement : Apply(running, Operators[k], Operands[k + 1]);
            values[k] = running;
        }
        return values;
    }

    public string Prompt()
    {
        var sb = new StringBuilder();
        sb.Append(Format(Operands[0]));
        for (int k = 0; k < Operators.Length; k++) sb.Append(Operators[k]).Append(Format(Operands[k + 1]));
        return sb.Append('=').ToString();
    }

    /// <summary>"a+b=r1;r1+c=r2;#### answer": one line per operation, then the delimited final answer.</summary>
    public string Solution(int[] runningValues, int finalAnswer) => Solution(runningValues, finalAnswer, Operators.Length);

    /// <summary>The first <paramref name="stepsWritten"/> lines of <see cref="Solution(int[], int)"/>, then the delimited answer.</summary>
    public string Solution(int[] runningValues, int finalAnswer, int stepsWritten)
    {
        var sb = new StringBuilder();
        int left = Operands[0];
        for (int k = 0; k < stepsWritten; k++)
        {
            sb.Append(Format(left)).Append(Operators[k]).Append(Format(Operands[k + 1]))
              .Append('=').Append(Format(runningValues[k])).Append(';');
            left = runningValues[k];
        }
        return sb.Append(ArithTask.AnswerDelimiter).Append(' ').Append(Format(finalAnswer)).ToString();
    }

    public static int Apply(int left, char op, int right) => op == '+' ? left + right : left - right;

    public static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static int Pow10(int n)
    {
        int p = 1;
        for (int i = 0; i < n; i++) p *= 10;
        return p;
    }
}
