// Which stages each recipe runs, in one table: the orchestrator walks it per shard, the update reads its kind and signal.
namespace Pipeline.Stages.Campaigns;

/// <summary>How the iteration's policy update learns.</summary>
public enum UpdateKind
{
    /// <summary>GRPO over each prompt's sampled group (rewards: online ± self-certainty, the verifier, or a label-free control).</summary>
    Grpo,

    /// <summary>DPO on preference pairs (plus α·NLL of the chosen response when update.nllWeight is set, as IRPO).</summary>
    Dpo,

    /// <summary>Majority-vote self-training: SFT on the responses whose answer most samples of their prompt agree on.</summary>
    SelfTraining,

    /// <summary>SCoRe's two-stage policy gradient over first and second attempts.</summary>
    SCoRe,

    /// <summary>SFT on second attempts that corrected a wrong first attempt.</summary>
    CorrectionSft,
}

/// <summary>The per-shard stages of a recipe after generation, and the update that consumes the last one's outputs.</summary>
/// <param name="Recipe">The recipe.</param>
/// <param name="ShardStages">Stages per shard in order, generation first; the update reads the last one's outputs.</param>
/// <param name="Update">The update's objective.</param>
/// <param name="Signal">
/// The score name the recipe learns from (<see cref="ScoreNames"/>): <c>self_certainty</c>, <c>answer_confidence</c>,
/// <c>judge</c>, <c>verifier</c>, <c>votes</c>, <c>majority</c>, <c>bernoulli</c> or <c>negative_self_certainty</c>.
/// </param>
public sealed record RecipeChain(Recipe Recipe, IReadOnlyList<CampaignStage> ShardStages, UpdateKind Update, string Signal)
{
    /// <summary>The chain of <paramref name="recipe"/>.</summary>
    public static RecipeChain For(Recipe recipe) => recipe switch
    {
        Recipe.Intuitor => new(recipe, [CampaignStage.Generation, CampaignStage.Scoring], UpdateKind.Grpo, ScoreNames.SelfCertainty),
        Recipe.Rlsf => new(recipe, [CampaignStage.Generation, CampaignStage.Scoring, CampaignStage.Pairs], UpdateKind.Dpo, ScoreNames.AnswerConfidence),
        Recipe.SelfRewarding => new(recipe, [CampaignStage.Generation, CampaignStage.Judging, CampaignStage.Pairs], UpdateKind.Dpo, ScoreNames.Judge),
        Recipe.Irpo => new(recipe, [CampaignStage.Generation, CampaignStage.Judging, CampaignStage.Pairs], UpdateKind.Dpo, ScoreNames.Verifier),
        Recipe.GrpoGold => new(recipe, [CampaignStage.Generation, CampaignStage.Judging], UpdateKind.Grpo, ScoreNames.Verifier),
        Recipe.SelfTraining => new(recipe, [CampaignStage.Generation, CampaignStage.Scoring], UpdateKind.SelfTraining, ScoreNames.Votes),
        Recipe.Score => new(recipe, [CampaignStage.Generation, CampaignStage.Judging], UpdateKind.SCoRe, ScoreNames.Verifier),
        Recipe.CorrectionSft => new(recipe, [CampaignStage.Generation, CampaignStage.Judging], UpdateKind.CorrectionSft, ScoreNames.Verifier),
        Recipe.MetaRewarding => new(recipe, [CampaignStage.Generation, CampaignStage.Judging, CampaignStage.Pairs], UpdateKind.Dpo, ScoreNames.Judge),
        Recipe.Tpo => new(recipe, [CampaignStage.Generation, CampaignStage.Judging, CampaignStage.Pairs], UpdateKind.Dpo, ScoreNames.Judge),
        Recipe.GrpoRandom => new(recipe, [CampaignStage.Generation, CampaignStage.Scoring], UpdateKind.Grpo, ScoreNames.Bernoulli),
        Recipe.GrpoNegsc => new(recipe, [CampaignStage.Generation, CampaignStage.Scoring], UpdateKind.Grpo, ScoreNames.NegativeSelfCertainty),
        Recipe.GrpoMajority => new(recipe, [CampaignStage.Generation, CampaignStage.Scoring], UpdateKind.Grpo, ScoreNames.Majority),
        _ => throw new ArgumentOutOfRangeException(nameof(recipe), recipe, "Unknown recipe."),
    };

    /// <summary>The stage whose outputs the update trains on (the last per-shard stage).</summary>
    public CampaignStage UpdateInput => ShardStages[^1];

    /// <summary>
    /// Whether generation writes a second attempt after each first one (the self-correction recipes); the second attempt's
    /// rollout has the same prompt id and sample index, and <see cref="Contracts.Rollout.Attempt"/> 2.
    /// </summary>
    public bool TwoAttempts => Update is UpdateKind.SCoRe or UpdateKind.CorrectionSft;

    /// <summary>Whether the judging stage also meta-judges disagreeing judgements and the pair stage builds judgement pairs (Meta-Rewarding).</summary>
    public bool MetaJudges => Recipe == Recipe.MetaRewarding;

    /// <summary>Whether the judge sees only each response's final answer, never its chain of thought (TPO).</summary>
    public bool JudgesAnswerOnly => Recipe == Recipe.Tpo;

    /// <summary>Whether prompts carry gold answers (the verifier-reward recipes: grpo-gold, irpo and the self-correction ones).</summary>
    public bool UsesGoldAnswers => Signal == ScoreNames.Verifier;

    /// <summary>The stage after <paramref name="stage"/> in this chain, or null when the update comes next.</summary>
    /// <exception cref="ArgumentException">The stage is not a per-shard stage of this recipe.</exception>
    public CampaignStage? Next(CampaignStage stage)
    {
        int index = ShardStages.ToList().IndexOf(stage);
        if (index < 0) throw new ArgumentException($"Recipe {Recipe} has no per-shard stage {stage.Name()}.", nameof(stage));
        return index + 1 < ShardStages.Count ? ShardStages[index + 1] : null;
    }

    /// <summary>The stage before <paramref name="stage"/> (whose output is its input), or null for generation.</summary>
    public CampaignStage? Previous(CampaignStage stage)
    {
        int index = ShardStages.ToList().IndexOf(stage);
        if (index < 0) throw new ArgumentException($"Recipe {Recipe} has no per-shard stage {stage.Name()}.", nameof(stage));
        return index > 0 ? ShardStages[index - 1] : null;
    }
}

