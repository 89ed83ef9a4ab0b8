// The prompt set of an iteration: deterministic, a fresh slice per iteration, contiguous shards, gold answers only for
// the verifier baseline, and never a held-out evaluation prompt.
using Pipeline.Stages.Campaigns;

namespace Pipeline.Stages.Tests.Campaigns;

public sealed class CampaignPromptsTests
{
    private static readonly CampaignDefinition Intuitor = CampaignDefinition.LoadBuiltIn("intuitor") with { PromptsPerIteration = 10, Shards = 3, Iterations = 3 };

    [Fact]
    public void ForIteration_ThreeIterations_DistinctSlicesOfTheCampaignDifficulty()
    {
        var all = Enumerable.Range(1, 3).SelectMany(n => CampaignPrompts.ForIteration(Intuitor, n)).ToList();

        Assert.Equal(30, all.Select(p => p.Text).Distinct().Count());
        Assert.All(all, p => Assert.Contains("/d2s3/", p.Id, StringComparison.Ordinal));
        Assert.All(all, p => Assert.Null(p.GoldAnswer));
        Assert.Equal(CampaignPrompts.ForIteration(Intuitor, 2), CampaignPrompts.ForIteration(Intuitor, 2));
    }

    [Fact]
    public void Sharded_TenPromptsThreeShards_ContiguousAndComplete()
    {
        var shards = CampaignPrompts.Sharded(Intuitor, 1);

        Assert.Equal([3, 3, 4], shards.Select(s => s.Count));
        Assert.Equal(CampaignPrompts.ForIteration(Intuitor, 1), shards.SelectMany(s => s));
        Assert.Equal(shards[2], CampaignPrompts.Shard(Intuitor, 1, 2));
    }

    [Fact]
    public void ForIteration_GrpoGold_CarriesGoldAnswers()
    {
        var gold = CampaignDefinition.LoadBuiltIn("grpo-gold") with { PromptsPerIteration = 5 };

        Assert.All(CampaignPrompts.ForIteration(gold, 1), p => Assert.False(string.IsNullOrEmpty(p.GoldAnswer)));
    }

    [Fact]
    public void ForIteration_AnyIteration_DisjointFromEvaluationSets()
    {
        var definition = CampaignDefinition.LoadBuiltIn("intuitor") with { PromptsPerIteration = 300, Iterations = 3, Shards = 2 };
        var held = CampaignPrompts.EvaluationSets(definition with { Evaluation = new EvaluationSettings { ProblemsPerDifficulty = 200 } })
            .SelectMany(s => s.Problems.Select(p => p.Prompt)).ToHashSet();

        var prompts = Enumerable.Range(1, 3).SelectMany(n => CampaignPrompts.ForIteration(definition, n));

        Assert.DoesNotContain(prompts, p => held.Contains(p.Text));
    }

    [Fact]
    public void ForIteration_BeyondIterations_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CampaignPrompts.ForIteration(Intuitor, 4));
    }
}
