// Checks the meta-judge: its prompt holds the response and both judgements as A and B, and a comparison asks in both
// orders, so a model that always prefers the first position gives opposite answers for the two orders.
using Pipeline.Learning.Judging;

namespace Pipeline.Learning.Tests.Judging;

public sealed class MetaJudgeTests
{
    [Fact]
    public void BuildPrompt_VerdictPromptThenBothJudgementsThenTheQuestion()
    {
        Assert.Equal("1+2=1+2=3;#### 3\nVerdict:\nA: correct\nB: incorrect\nBetter:",
            MetaJudge.BuildPrompt("1+2=", "1+2=3;#### 3", VerdictJudge.CorrectVerdict, VerdictJudge.IncorrectVerdict));
    }

    [Fact]
    public void Compare_AsksInBothOrders_FirstJudgementShownAsAThenAsB()
    {
        // The model always says " A" with log-odds ln 3 (p = ¾): pure position bias.
        var model = new ScriptedJudgeModel([], [Math.Log(0.75), Math.Log(0.25)]);

        var (shownFirst, shownSecond) = MetaJudge.Compare(model, "1+2=", "1+2=3;#### 3", " correct", " incorrect");

        Assert.Equal(0.75, shownFirst, 12);
        Assert.Equal(0.25, shownSecond, 12);
        Assert.Equal(MetaJudge.BuildPrompt("1+2=", "1+2=3;#### 3", " correct", " incorrect"), model.Prompts[0]);
        Assert.Equal(MetaJudge.BuildPrompt("1+2=", "1+2=3;#### 3", " incorrect", " correct"), model.Prompts[1]);
        Assert.All(model.Continuations, c => Assert.Equal([MetaJudge.FirstBetter, MetaJudge.SecondBetter], c));
    }
}
