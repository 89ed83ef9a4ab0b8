// Checks the exact-match verifier over arith answer extraction.
using Pipeline.Learning.Judging;
using Pipeline.Learning.Tasks.Arith;

namespace Pipeline.Learning.Tests.Judging;

public class VerifierTests
{
    private readonly Verifier _verifier = new(new ArithTask());

    [Fact]
    public void IsCorrect_MatchingAnswer_IsTrue()
    {
        Assert.True(_verifier.IsCorrect("12+34=46;#### 46", "46"));
        Assert.Equal(1.0, _verifier.Reward("12+34=46;#### 46", "46"));
    }

    [Theory]
    [InlineData("12+34=46;#### 47")]
    [InlineData("12+34=46;")]
    [InlineData("12+34=46;#### 046")]
    [InlineData("12+34=46;#### 46x")]
    public void IsCorrect_WrongOrMalformed_IsFalse(string response)
    {
        Assert.False(_verifier.IsCorrect(response, "46"));
        Assert.Equal(0.0, _verifier.Reward(response, "46"));
    }
}
