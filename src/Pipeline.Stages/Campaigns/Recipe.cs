// The built-in self-improvement recipes a campaign can run; serialised as kebab-case names in campaign files.
namespace Pipeline.Stages.Campaigns;

/// <summary>A campaign's recipe: which stages run per shard and which update closes the iteration (see <see cref="RecipeChain"/>).</summary>
public enum Recipe
{
    /// <summary>INTUITOR: GRPO with the policy's online self-certainty as reward (<c>intuitor</c>).</summary>
    Intuitor,

    /// <summary>RLSF: DPO on pairs ordered by answer-span confidence (<c>rlsf</c>).</summary>
    Rlsf,

    /// <summary>Self-Rewarding: DPO on pairs ordered by the policy's own verdicts (<c>self-rewarding</c>).</summary>
    SelfRewarding,

    /// <summary>
    /// IRPO as the paper: pairs of a correct and an incorrect sample by the verifier against the gold answer, DPO + α·NLL of
    /// the chosen response (<c>irpo</c>): a gold-label baseline beside <c>grpo-gold</c>. The self-judged variant is
    /// <c>self-rewarding</c> with <c>update.nllWeight</c> set.
    /// </summary>
    Irpo,

    /// <summary>Gold-reward baseline: GRPO with the verifier against gold answers (<c>grpo-gold</c>).</summary>
    GrpoGold,

    /// <summary>Majority-vote self-training: SFT on responses that agree with the majority answer (<c>self-training</c>).</summary>
    SelfTraining,

    /// <summary>Control: GRPO with a reward drawn from Bernoulli(½) per sample, no signal at all (<c>grpo-random</c>).</summary>
    GrpoRandom,

    /// <summary>Control: GRPO with minus the online self-certainty as reward, INTUITOR's mirror image (<c>grpo-negsc</c>).</summary>
    GrpoNegsc,

    /// <summary>TTRL: GRPO with reward 1 when a sample's answer is its prompt's pseudo-label (majority vote) (<c>grpo-majority</c>).</summary>
    GrpoMajority,
}

/// <summary>Names of <see cref="Recipe"/> values.</summary>
public static class Recipes
{
    /// <summary>The kebab-case name campaign files, built-in recipe resources, ids and state use (<c>intuitor</c>, <c>self-rewarding</c> ...).</summary>
    public static string Name(this Recipe recipe) => CampaignJson.EnumName(recipe);
}
