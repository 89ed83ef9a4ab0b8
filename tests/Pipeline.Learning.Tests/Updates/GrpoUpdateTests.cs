// GRPO on the tiny model: rewards from the verifier and from online self-certainty move probability towards the
// better responses; equal rewards leave only the KL term (and with β = 0, nothing); old log-probs reach the clip.
using Pipeline.Engine.Model;
using Pipeline.Learning.Judging;
using Pipeline.Learning.Objectives;
using Pipeline.Learning.Tasks.Arith;
using Pipeline.Learning.Updates;

namespace Pipeline.Learning.Tests.Updates;

public sealed class GrpoUpdateTests
{
    private static readonly GrpoOptions NoKl = new(KlBeta: 0);

    private static readonly (string Prompt, string Gold, string[] Responses)[] Problems =
    [
        ("3+4=", "7", ["7;#### 7", "8;#### 8", "3+4=7;#### 7", "1;#### 1"]),
        ("10+5=", "15", ["16;#### 16", "15;#### 15", "51;#### 51", "15;#### 15"]),
    ];

    [Fact]
    public void Step_VerifierRewards_RaisesCorrectResponsesOverWrongOnes()
    {
        var verifier = new Verifier(new ArithTask());
        var groups = Problems.Select(p => Group(p.Prompt, p.Responses, p.Responses.Select(r => verifier.Reward(r, p.Gold)).ToArray())).ToList();
        var trainer = new PolicyTrainer(TinyPolicy.Create(), TinyPolicy.Options(rate: 5e-3f, microBatch: 4), seed: 1);
        var before = TinyPolicy.Snapshot(trainer.Model);
        double gapBefore = RewardedGap(trainer.Model, groups);

        var result = GrpoUpdate.Step(trainer, groups, NoKl);

        Assert.False(TinyPolicy.SameBits(before, trainer.Model.Parameters));
        Assert.Equal(8, result.Advantages.Count);
        Assert.Equal(0, result.ClipFraction);
        Assert.True(RewardedGap(trainer.Model, groups) > gapBefore, "mean log-prob of rewarded minus unrewarded responses did not rise");
    }

    [Fact]
    public void Step_OnlineSelfCertaintyRewards_RaisesTheMoreCertainResponses()
    {
        var trainer = new PolicyTrainer(TinyPolicy.Create(), TinyPolicy.Options(rate: 5e-3f), seed: 1);
        var groups = Problems.Select(p =>
        {
            var pairs = p.Responses.Select(r => TinyPolicy.Pair(p.Prompt, r)).ToList();
            var certainty = TeacherForcedScores.SelfCertainty(trainer.Policy, pairs, temperature: 0.9f);
            return Group(p.Prompt, p.Responses, certainty);
        }).ToList();
        Assert.All(groups, g => Assert.True(g.Samples.Select(s => s.Reward).Distinct().Count() > 1));
        double gapBefore = RewardedGap(trainer.Model, groups);

        GrpoUpdate.Step(trainer, groups, NoKl);

        Assert.True(RewardedGap(trainer.Model, groups) > gapBefore, "responses above their group's mean certainty did not gain on the rest");
    }

    [Fact]
    public void Step_EqualRewardsWithoutKl_LeavesEveryParameterUnchanged()
    {
        var trainer = new PolicyTrainer(TinyPolicy.Create(), TinyPolicy.Options(weightDecay: 0f), seed: 1);
        var groups = Problems.Select(p => Group(p.Prompt, p.Responses, p.Responses.Select(_ => 1.0).ToArray())).ToList();
        var before = TinyPolicy.Snapshot(trainer.Model);

        var result = GrpoUpdate.Step(trainer, groups, NoKl);

        Assert.All(result.Advantages, a => Assert.Equal(0, a));
        Assert.Equal(0, result.Update.GradientNorm);
        Assert.True(TinyPolicy.SameBits(before, trainer.Model.Parameters));
    }

    [Fact]
    public void Step_EqualRewardsWithKl_OnlyPullsThePolicyTowardsTheReference()
    {
        var policy = TinyPolicy.Create(seed: 7);
        var reference = TinyPolicy.Create(seed: 8);
        // Adam's first step moves every weight by about the rate: a small one keeps it from overshooting the KL's minimum.
        var trainer = new PolicyTrainer(policy, TinyPolicy.Options(rate: 5e-4f), seed: 1);
        var pairs = Problems.SelectMany(p => p.Responses.Select(r => TinyPolicy.Pair(p.Prompt, r))).ToList();
        var referenceLogProbs = TeacherForcedScores.LogProbs(reference, pairs);
        var groups = Problems.Select((p, g) => new GrpoPromptGroup(TinyPolicy.Tokenizer.Encode(p.Prompt),
            p.Responses.Select((r, i) => new GrpoSample(TinyPolicy.Tokenizer.Encode(r), 1.0, null, referenceLogProbs[g * 4 + i])).ToList())).ToList();

        var result = GrpoUpdate.Step(trainer, groups, new GrpoOptions(KlBeta: 0.5));

        Assert.All(result.Advantages, a => Assert.Equal(0, a));
        Assert.True(result.MeanKl > 0);
        double after = MeanK3(TeacherForcedScores.LogProbs(policy, pairs), referenceLogProbs);
        Assert.True(after < result.MeanKl, $"KL before {result.MeanKl}, after {after}");
    }

    [Fact]
    public void Step_OldLogProbsFarBelowCurrent_ClipsThePositiveAdvantageTokens()
    {
        var trainer = new PolicyTrainer(TinyPolicy.Create(), TinyPolicy.Options(), seed: 1);
        var (prompt, _, responses) = Problems[0];
        double[] rewards = [1, 0, 0, 1];
        var current = TeacherForcedScores.LogProbs(trainer.Model, responses.Select(r => TinyPolicy.Pair(prompt, r)).ToList());
        var group = new GrpoPromptGroup(TinyPolicy.Tokenizer.Encode(prompt), responses.Select((r, i) =>
            new GrpoSample(TinyPolicy.Tokenizer.Encode(r), rewards[i], current[i].Select(v => v - 1f).ToArray())).ToList());

        var result = GrpoUpdate.Step(trainer, [group], NoKl);

        double positiveTokens = responses.Where((_, i) => rewards[i] > 0).Sum(r => r.Length);
        Assert.Equal(positiveTokens / responses.Sum(r => r.Length), result.ClipFraction, 6);
    }

    [Theory]
    [InlineData(TokenAveraging.SequenceMean)]
    [InlineData(TokenAveraging.TokenMean)]
    public void Step_OneGroupPerPass_GivesTheSameLossAsOnePass(TokenAveraging averaging)
    {
        var groups = Problems.Select(p => Group(p.Prompt, p.Responses, [1, 0, 2, 0])).ToList();
        var whole = new PolicyTrainer(TinyPolicy.Create(), TinyPolicy.Options(microBatch: 8), seed: 1);
        var split = new PolicyTrainer(TinyPolicy.Create(), TinyPolicy.Options(microBatch: 1), seed: 1);

        var a = GrpoUpdate.Step(whole, groups, NoKl with { Averaging = averaging });
        var b = GrpoUpdate.Step(split, groups, NoKl with { Averaging = averaging });

        Assert.Equal(a.Update.Loss, b.Update.Loss, 6);
        Assert.Equal(a.Update.GradientNorm, b.Update.GradientNorm, 4);
    }

    [Fact]
    public void JudgeRewards_UnreadableScore_GetsTheGroupMeanAndIsCounted()
    {
        var (rewards, unscored) = GrpoUpdate.JudgeRewards([new JudgeScore(4, 3, 0), new JudgeScore(null, 3, 3), new JudgeScore(2, 3, 1)]);

        Assert.Equal([4.0, 3.0, 2.0], rewards);
        Assert.Equal(1, unscored);
    }

    private static GrpoPromptGroup Group(string prompt, string[] responses, double[] rewards) =>
        new(TinyPolicy.Tokenizer.Encode(prompt), responses.Select((r, i) => new GrpoSample(TinyPolicy.Tokenizer.Encode(r), rewards[i])).ToList());

    /// <summary>Mean over groups of (mean log p of responses above the group's mean reward − mean of those below).</summary>
    private static double RewardedGap(LlamaModel model, IReadOnlyList<GrpoPromptGroup> groups) => groups.Average(g =>
    {
        var logProbs = TinyPolicy.SumLogProbs(model, g.Samples.Select(s => new PromptResponse(g.Prompt, s.Response)).ToList());
        double mean = g.Samples.Average(s => s.Reward);
        return g.Samples.Select((s, i) => (s, i)).Where(x => x.s.Reward > mean).Average(x => logProbs[x.i])
            - g.Samples.Select((s, i) => (s, i)).Where(x => x.s.Reward < mean).Average(x => logProbs[x.i]);
    });

    private static double MeanK3(float[][] policy, float[][] reference)
    {
        double sum = 0;
        int count = 0;
        for (int s = 0; s < policy.Length; s++)
            for (int t = 0; t < policy[s].Length; t++, count++)
            {
                double d = reference[s][t] - policy[s][t];
                sum += Math.Exp(d) - d - 1;
            }
        return sum / count;
    }
}
