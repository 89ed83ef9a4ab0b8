// The per-recipe stage table the orchestrator and the update follow.
using Pipeline.Stages.Campaigns;

namespace Pipeline.Stages.Tests.Campaigns;

public sealed class RecipeChainTests
{
    [Theory]
    [InlineData(Recipe.Intuitor, "generation,scoring", UpdateKind.Grpo, "self_certainty")]
    [InlineData(Recipe.Rlsf, "generation,scoring,pairs", UpdateKind.Dpo, "answer_confidence")]
    [InlineData(Recipe.SelfRewarding, "generation,judging,pairs", UpdateKind.Dpo, "judge")]
    [InlineData(Recipe.Irpo, "generation,judging,pairs", UpdateKind.Dpo, "verifier")]
    [InlineData(Recipe.GrpoGold, "generation,judging", UpdateKind.Grpo, "verifier")]
    [InlineData(Recipe.SelfTraining, "generation,scoring", UpdateKind.SelfTraining, "votes")]
    [InlineData(Recipe.Score, "generation,judging", UpdateKind.SCoRe, "verifier")]
    [InlineData(Recipe.CorrectionSft, "generation,judging", UpdateKind.CorrectionSft, "verifier")]
    [InlineData(Recipe.MetaRewarding, "generation,judging,pairs", UpdateKind.Dpo, "judge")]
    [InlineData(Recipe.Tpo, "generation,judging,pairs", UpdateKind.Dpo, "judge")]
    [InlineData(Recipe.GrpoRandom, "generation,scoring", UpdateKind.Grpo, "bernoulli")]
    [InlineData(Recipe.GrpoNegsc, "generation,scoring", UpdateKind.Grpo, "negative_self_certainty")]
    [InlineData(Recipe.GrpoMajority, "generation,scoring", UpdateKind.Grpo, "majority")]
    public void For_EachRecipe_MatchesTheDesign(Recipe recipe, string stages, UpdateKind update, string signal)
    {
        var chain = RecipeChain.For(recipe);

        Assert.Equal(stages, string.Join(",", chain.ShardStages.Select(s => s.Name())));
        Assert.Equal(update, chain.Update);
        Assert.Equal(signal, chain.Signal);
        Assert.Equal(recipe is Recipe.GrpoGold or Recipe.Irpo or Recipe.Score or Recipe.CorrectionSft, chain.UsesGoldAnswers);
        Assert.Equal(recipe is Recipe.Score or Recipe.CorrectionSft, chain.TwoAttempts);
        Assert.Equal(recipe is Recipe.MetaRewarding, chain.MetaJudges);
        Assert.Equal(recipe is Recipe.Tpo, chain.JudgesAnswerOnly);
    }

    [Fact]
    public void NextAndPrevious_Rlsf_WalkTheChain()
    {
        var chain = RecipeChain.For(Recipe.Rlsf);

        Assert.Equal(CampaignStage.Scoring, chain.Next(CampaignStage.Generation));
        Assert.Equal(CampaignStage.Pairs, chain.Next(CampaignStage.Scoring));
        Assert.Null(chain.Next(CampaignStage.Pairs));
        Assert.Null(chain.Previous(CampaignStage.Generation));
        Assert.Equal(CampaignStage.Scoring, chain.Previous(CampaignStage.Pairs));
        Assert.Equal(CampaignStage.Pairs, chain.UpdateInput);
    }

    [Fact]
    public void Next_StageNotInRecipe_Throws()
    {
        Assert.Throws<ArgumentException>(() => RecipeChain.For(Recipe.Intuitor).Next(CampaignStage.Judging));
    }

    [Fact]
    public void TryParse_StageNames_RoundTrip()
    {
        foreach (var stage in Enum.GetValues<CampaignStage>())
            Assert.Equal(stage, CampaignStages.TryParse(stage.Name()));
        Assert.Null(CampaignStages.TryParse("nope"));
    }
}
