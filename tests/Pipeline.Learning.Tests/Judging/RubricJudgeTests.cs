// Checks the rubric judge's prompt, its score parser on well-formed and malformed outputs, and the averaging with
// parse failures counted.
using Pipeline.Learning.Judging;

namespace Pipeline.Learning.Tests.Judging;

public class RubricJudgeTests
{
    [Theory]
    [InlineData("The answer is relevant.\nScore: 4", 4)]
    [InlineData("score:3", 3)]
    [InlineData("**Score:** 5", 5)]
    [InlineData("Score = 2/5", 2)]
    [InlineData("Score: 1 at first... on reflection\nScore: 0", 0)]
    [InlineData("Score: 3.5", 3.5)]
    public void TryParseScore_WellFormed_ReadsTheLastScore(string output, double expected)
    {
        Assert.True(RubricJudge.TryParseScore(output, out double score));
        Assert.Equal(expected, score);
    }

    [Theory]
    [InlineData("I would give it four points.")]
    [InlineData("Score: ")]
    [InlineData("Score: 7")]
    [InlineData("Score: 10")]
    [InlineData("Score: -1")]
    [InlineData("")]
    public void TryParseScore_Malformed_Fails(string output)
    {
        Assert.False(RubricJudge.TryParseScore(output, out _));
    }

    [Fact]
    public void BuildPrompt_HoldsRequestResponseAndScoreInstruction()
    {
        string prompt = RubricJudge.BuildPrompt("Add 2 and 3.", "It is 5.");

        Assert.Contains("Add 2 and 3.", prompt);
        Assert.Contains("It is 5.", prompt);
        Assert.Contains("Score: <points>", prompt);
        Assert.True(prompt.IndexOf("Add 2 and 3.", StringComparison.Ordinal) < prompt.IndexOf("It is 5.", StringComparison.Ordinal));
    }

    [Fact]
    public void Judge_AveragesReadableScoresAndCountsFailures()
    {
        var model = new ScriptedJudgeModel(["Fine.\nScore: 4", "garbled", "Score: 2"]);

        var result = RubricJudge.Judge(model, "q", "a", 3);

        Assert.Equal(3.0, result.Score);
        Assert.Equal(3, result.Samples);
        Assert.Equal(1, result.ParseFailures);
        Assert.Equal(RubricJudge.BuildPrompt("q", "a"), Assert.Single(model.Prompts));
    }

    [Fact]
    public void Judge_AllUnreadable_HasNoScore()
    {
        var result = RubricJudge.Judge(new ScriptedJudgeModel(["no", "nope"]), "q", "a", 2);

        Assert.Null(result.Score);
        Assert.Equal(2, result.ParseFailures);
    }
}
