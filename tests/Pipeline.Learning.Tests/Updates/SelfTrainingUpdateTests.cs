// Majority-vote self-training on the tiny model: only agreed answers are trained, their NLL falls; no agreement, no step.
using Pipeline.Learning.Objectives;
using Pipeline.Learning.Updates;

namespace Pipeline.Learning.Tests.Updates;

public sealed class SelfTrainingUpdateTests
{
    [Fact]
    public void Step_MajorityAgrees_TrainsTheKeptAnswersAndLowersTheirNll()
    {
        var trainer = new PolicyTrainer(TinyPolicy.Create(), TinyPolicy.Options(), seed: 1);
        var groups = new[]
        {
            Group("12+34=", ("46;# 46\n", "46"), ("47;# 47\n", "47"), ("46;# 46\n", "46")),
            Group("5+5=", ("10;# 10\n", "10"), ("10;# 10\n", "10"), ("11;# 11\n", "11")),
            Group("9+9=", ("17;# 17\n", "17"), ("18;# 18\n", "18"), ("19;# 19\n", "19")),
        };
        var kept = new[] { TinyPolicy.Pair("12+34=", "46;# 46\n"), TinyPolicy.Pair("5+5=", "10;# 10\n") };
        double nllBefore = TinyPolicy.MeanNll(trainer.Model, kept);

        var result = SelfTrainingUpdate.Step(trainer, groups, minVoteShare: 0.5);

        Assert.Equal([0, 1], result.Selection.Kept.Select(k => k.Group));
        Assert.Equal(1, result.Selection.BelowVoteShare);
        Assert.NotNull(result.Update);
        Assert.Equal(nllBefore, result.Update.Loss, 4);
        Assert.True(TinyPolicy.MeanNll(trainer.Model, kept) < nllBefore);
    }

    [Fact]
    public void Step_NoAgreement_TakesNoStep()
    {
        var trainer = new PolicyTrainer(TinyPolicy.Create(), TinyPolicy.Options(), seed: 1);
        var before = TinyPolicy.Snapshot(trainer.Model);

        var result = SelfTrainingUpdate.Step(trainer, [Group("1+1=", ("2", "2"), ("3", "3"), ("4", null))], minVoteShare: 0.5);

        Assert.Null(result.Update);
        Assert.Equal(0, trainer.Step);
        Assert.True(TinyPolicy.SameBits(before, trainer.Model.Parameters));
    }

    private static SelfTrainingGroup Group(string prompt, params (string Response, string? Answer)[] samples)
    {
        var votes = SelfTrainingCandidate.Vote(samples.Select(s => (s.Answer, s.Response.Length)).ToList());
        return new(TinyPolicy.Tokenizer.Encode(prompt), samples.Select((s, i) =>
            new SelfTrainingSample(TinyPolicy.Tokenizer.Encode(s.Response), s.Answer, votes[i].VoteShare, votes[i].Majority)).ToList());
    }
}
