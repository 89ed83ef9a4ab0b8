// SCoRe's objective on the tiny model: the stage follows the trainer's step count, a stage II step raises a corrected
// second attempt over a broken one, and stage I leaves the first attempts where their KL holds them.
using Pipeline.Learning.Objectives;
using Pipeline.Learning.Updates;

namespace Pipeline.Learning.Tests.Updates;

public sealed class SCoReObjectiveTests
{
    [Fact]
    public void StageAt_FirstStepsStageOneThenStageTwo()
    {
        var objective = new SCoReObjective([], new SCoReOptions(), stageOneSteps: 2);

        Assert.Equal([SCoReStage.One, SCoReStage.One, SCoReStage.Two, SCoReStage.Two], new long[] { 0, 1, 2, 3 }.Select(objective.StageAt));
    }

    [Fact]
    public void Step_StageTwo_RaisesTheCorrectionOverTheBreakage()
    {
        var trainer = new PolicyTrainer(TinyPolicy.Create(), TinyPolicy.Options(rate: 5e-3f), seed: 1);
        var unit = Unit(trainer);
        var corrected = TinyPolicy.Pair("3+4=8;#### 8\nab", "3+4=7;#### 7");
        var broken = TinyPolicy.Pair("3+4=7;#### 7\nab", "3+4=1;#### 1");
        var before = TinyPolicy.SumLogProbs(trainer.Model, [corrected, broken]);

        var step = new SCoReObjective([unit], new SCoReOptions(), stageOneSteps: 0).Step(trainer, [0]);

        Assert.NotNull(step.Update);
        Assert.Equal(2, step.Figures["stage"]);
        var after = TinyPolicy.SumLogProbs(trainer.Model, [corrected, broken]);
        Assert.True(after[0] - after[1] > before[0] - before[1], "the corrected second attempt did not gain on the broken one");
    }

    [Fact]
    public void Step_StageOne_ReportsStageOneAndBothAttemptsRewards()
    {
        var trainer = new PolicyTrainer(TinyPolicy.Create(), TinyPolicy.Options(rate: 5e-3f), seed: 1);

        var step = new SCoReObjective([Unit(trainer)], new SCoReOptions(), stageOneSteps: 1).Step(trainer, [0]);

        Assert.Equal(1, step.Figures["stage"]);
        Assert.Equal(0.5, step.Figures["first_attempt_reward"]);
        Assert.Equal(0.5, step.Figures["second_attempt_reward"]);
        Assert.Equal(0, step.Figures["kl_first_attempt"], 6); // sampled by the policy being trained: at its reference
    }

    /// <summary>One prompt, two samples: a wrong first attempt corrected, and a right first attempt broken.</summary>
    private static SCoReUnit Unit(PolicyTrainer trainer)
    {
        SCoReAttempt Attempt(string prompt, string response, double reward)
        {
            var pair = TinyPolicy.Pair(prompt, response);
            var logProbs = trainer.Policy.LogProbs([pair], 8)[0];
            return new SCoReAttempt(pair.Prompt, pair.Response, reward, logProbs, logProbs);
        }
        return new SCoReUnit(
            [Attempt("3+4=", "3+4=8;#### 8", 0), Attempt("3+4=", "3+4=7;#### 7", 1)],
            [Attempt("3+4=8;#### 8\nab", "3+4=7;#### 7", 1), Attempt("3+4=7;#### 7\nab", "3+4=1;#### 1", 0)]);
    }
}
