// Checks the second turn's prompt tokens: the first turn's prompt and attempt exactly as given (a final EOS dropped),
// then the instruction, which for a character tokenizer is the encoding of the correction prompt's text.
using Pipeline.Learning.Tasks;
using Pipeline.Learning.Tasks.Arith;

namespace Pipeline.Learning.Tests.Tasks;

public sealed class TaskEncodingTests
{
    private static readonly TaskEncoding Encoding = TaskEncoding.ForTask(new ArithTask());

    [Fact]
    public void CorrectionPrompt_SampledAttemptWithEos_EqualsTheEncodedCorrectionPromptText()
    {
        int[] prompt = Encoding.Prompt("12+34=");
        int[] attempt = Encoding.Response("12+34=47;#### 47"); // ends with EOS, as a stopped sample does

        var tokens = Encoding.CorrectionPrompt(prompt, attempt);

        Assert.Equal(Encoding.Prompt(SelfCorrection.BuildPrompt("12+34=", "12+34=47;#### 47")), tokens);
    }

    [Fact]
    public void CorrectionPrompt_TruncatedAttempt_KeepsEveryToken()
    {
        int[] prompt = Encoding.Prompt("1+2=");
        int[] attempt = Encoding.Continuation("1+2=3;1+");

        var tokens = Encoding.CorrectionPrompt(prompt, attempt);

        Assert.Equal([.. prompt, .. attempt, .. Encoding.Continuation(SelfCorrection.Instruction)], tokens);
    }
}
