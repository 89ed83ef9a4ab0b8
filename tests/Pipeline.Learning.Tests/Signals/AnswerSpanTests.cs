// Checks the mapping from the answer's character range to the tokens that cover it.
using Pipeline.Learning;
using Pipeline.Learning.Signals;
using Pipeline.Learning.Tasks.Arith;

namespace Pipeline.Learning.Tests.Signals;

public class AnswerSpanTests
{
    [Fact]
    public void ToTokenRange_CharacterTokens_IsTheSameRange()
    {
        string response = "1+2=3;#### 3";
        var tokens = response.Select(c => c.ToString()).ToList();

        var chars = new ArithTask().FindAnswer(response);

        Assert.Equal(new IndexRange(11, 1), AnswerSpan.ToTokenRange(tokens, chars));
    }

    [Fact]
    public void ToTokenRange_MultiCharacterTokens_CoversEveryOverlappingToken()
    {
        // "ab|cd|ef|" pieces; characters 3..5 ("def") overlap the 2nd and 3rd tokens; the empty token never overlaps.
        string[] tokens = ["ab", "cd", "", "ef", "gh"];

        Assert.Equal(new IndexRange(1, 3), AnswerSpan.ToTokenRange(tokens, new IndexRange(3, 3)));
        Assert.Equal(new IndexRange(3, 1), AnswerSpan.ToTokenRange(tokens, new IndexRange(4, 2)));
    }

    [Fact]
    public void ToTokenRange_NoSpan_IsNull()
    {
        Assert.Null(AnswerSpan.ToTokenRange(["a"], null));
        Assert.Null(AnswerSpan.ToTokenRange(["a"], new IndexRange(0, 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => AnswerSpan.ToTokenRange(["a"], new IndexRange(0, 2)));
    }
}
