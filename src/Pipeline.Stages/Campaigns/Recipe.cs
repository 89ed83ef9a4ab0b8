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

    /// <summary>
    /// SCoRe: two attempts per prompt (the second after a fixed "may be wrong" instruction), trained by the verifier's
    /// reward in stage I then stage II of every iteration (<c>score</c>).
    /// </summary>
    Score,

    /// <summary>SCoRe's SFT baseline: SFT on the policy's own successful corrections, wrong then right (<c>correction-sft</c>).</summary>
    CorrectionSft,

    /// <summary>
    /// Meta-Rewarding: as self-rewarding with length control, plus the policy as meta-judge of its own disagreeing
    /// judgements; judgement pairs train the judge and response pairs the actor in one DPO update (<c>meta-rewarding</c>).
    /// </summary>
    MetaRewarding,

    /// <summary>
    /// Thought Preference Optimization: the policy judges only the final answer, never the chain before it; pairs by that
    /// score, DPO on the whole response (<c>tpo</c>).
    /// </summary>
    Tpo,
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
