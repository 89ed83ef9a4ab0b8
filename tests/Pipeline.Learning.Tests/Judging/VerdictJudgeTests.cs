// Checks the verdict judge: prompt layout, the normalised probability of "correct", sampled verdict parsing.
using Pipeline.Learning.Judging;

namespace Pipeline.Learning.Tests.Judging;

public class VerdictJudgeTests
{
    [Fact]
    public void BuildPrompt_AppendsTheVerdictCue()
    {
        Assert.Equal("1+2=1+2=3;#### 3\nVerdict:", VerdictJudge.BuildPrompt("1+2=", "1+2=3;#### 3"));
    }

    [Fact]
    public void ProbabilityCorrect_NormalisesOverTheTwoVerdicts()
    {
        // p(correct) = 0.3, p(incorrect) = 0.1 (the rest of the mass on other continuations): 0.3 / 0.4 = 0.75.
        Assert.Equal(0.75, VerdictJudge.ProbabilityCorrect(Math.Log(0.3), Math.Log(0.1)), 12);
        Assert.Equal(0.5, VerdictJudge.ProbabilityCorrect(-2, -2), 12);
        Assert.Equal(0.0, VerdictJudge.ProbabilityCorrect(-1000, 0), 12);
        Assert.Equal(1.0, VerdictJudge.ProbabilityCorrect(0, -1000), 12);
    }

    [Fact]
    public void ScoreByProbability_AsksForBothVerdictsAfterTheCue()
    {
        var model = new ScriptedJudgeModel([], [Math.Log(0.2), Math.Log(0.6)]);

        var score = VerdictJudge.ScoreByProbability(model, "1+2=", "1+2=4;#### 4");

        Assert.Equal(0.25, score.Score!.Value, 12);
        Assert.Equal(0, score.ParseFailures);
        Assert.Equal("1+2=1+2=4;#### 4\nVerdict:", model.Prompts[0]);
        Assert.Equal([VerdictJudge.CorrectVerdict, VerdictJudge.IncorrectVerdict], model.Continuations[0]);
    }

    [Theory]
    [InlineData(" correct", true)]
    [InlineData(" Correct.\n", true)]
    [InlineData(" incorrect", false)]
    [InlineData("incorrect because", false)]
    [InlineData(" correctly", null)]
    [InlineData(" maybe", null)]
    [InlineData("", null)]
    public void ParseVerdict_ReadsTheFirstWord(string completion, bool? expected)
    {
        Assert.Equal(expected, VerdictJudge.ParseVerdict(completion));
    }

    [Fact]
    public void ScoreBySampling_ShareOfCorrectAmongReadable()
    {
        var model = new ScriptedJudgeModel([" correct", " incorrect", " ???", " correct"]);

        var score = VerdictJudge.ScoreBySampling(model, "p", "r", 4);

        Assert.Equal(2.0 / 3.0, score.Score!.Value, 12);
        Assert.Equal(4, score.Samples);
        Assert.Equal(1, score.ParseFailures);
    }
}
