// Checks how stored rollouts become GRPO's inputs: the fixed base-model reference replaces the sampler's log-probs as the
// KL reference (never as the old policy), the controls' rewards come from their scores, and grpo-negsc negates the online
// self-certainty.
using Pipeline.Contracts;
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Work;
using Pipeline.Testing;

namespace Pipeline.Stages.Tests.Work;

public sealed class UpdateInputsTests
{
    private static Rollout R(string prompt, int sample, Dictionary<string, double> scores) =>
        TestRollouts.Create(prompt, "1+1=", sample, "#### 2", scores, logProb: -0.5f);

    [Fact]
    public void Grpo_BaseReference_ReplacesOnlyTheReferenceLogProbs()
    {
        var definition = CampaignDefinition.LoadBuiltIn("grpo-gold");
        Rollout[] rollouts =
        [
            R("a", 0, new() { [ScoreNames.Verifier] = 1 }), R("b", 0, new() { [ScoreNames.Verifier] = 0 }),
            R("a", 1, new() { [ScoreNames.Verifier] = 0 }), R("b", 1, new() { [ScoreNames.Verifier] = 1 }),
        ];
        var sequences = UpdateInputs.GrpoSequences(rollouts);
        var reference = sequences.Select((s, k) => Enumerable.Repeat(-1f - k, s.Response.Length).ToArray()).ToList();

        var objective = UpdateInputs.Grpo(definition, rollouts, reference);

        var samples = objective.Groups.SelectMany(g => g.Samples).ToList();
        Assert.Equal(4, samples.Count);
        for (int k = 0; k < samples.Count; k++)
        {
            Assert.Equal(reference[k], samples[k].ReferenceLogProbs);
            Assert.All(samples[k].OldLogProbs!, v => Assert.Equal(-0.5f, v));
        }
        Assert.Equal([1.0, 0.0, 0.0, 1.0], samples.Select(s => s.Reward));
    }

    [Fact]
    public void Grpo_NoReference_SamplerIsTheReference()
    {
        var definition = CampaignDefinition.LoadBuiltIn("grpo-random");
        Rollout[] rollouts = [R("a", 0, new() { [ScoreNames.Bernoulli] = 1 }), R("a", 1, new() { [ScoreNames.Bernoulli] = 0 })];

        var objective = UpdateInputs.Grpo(definition, rollouts);

        Assert.All(objective.Groups[0].Samples, s => Assert.Same(s.OldLogProbs, s.ReferenceLogProbs));
        Assert.Equal([1.0, 0.0], objective.Groups[0].Samples.Select(s => s.Reward));
    }

    [Theory]
    [InlineData("intuitor", 1)]
    [InlineData("grpo-negsc", -1)]
    public void Grpo_OnlineSelfCertainty_SignPerRecipe(string recipe, double sign)
    {
        var objective = UpdateInputs.Grpo(CampaignDefinition.LoadBuiltIn(recipe), [R("a", 0, []), R("a", 1, [])]);

        Assert.Equal(sign, objective.OnlineRewardSign);
    }
}
