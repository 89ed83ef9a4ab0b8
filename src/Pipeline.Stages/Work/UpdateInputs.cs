// From stored stage outputs to the update objectives' units: the tokens exactly as sampled, the sampling policy's
// log-probs (temperature 1) as the old and reference log-probs, and the scores the stages stored. The iteration's starting
// policy sampled the responses and is the KL and DPO reference, so its log-probs were computed once, by the sampler.
using Pipeline.Contracts;
using Pipeline.Learning.Objectives;
using Pipeline.Learning.Updates;
using Pipeline.Stages.Campaigns;

namespace Pipeline.Stages.Work;

internal static class UpdateInputs
{
    /// <summary>GRPO over each prompt's rollouts, rewarded by the recipe's signal (online self-certainty for INTUITOR).</summary>
    /// <remarks>
    /// <paramref name="referenceLogProbs"/>, when given, holds each rollout's log-probs under a fixed KL reference (the
    /// campaign's base model), in the order of <see cref="RolloutGroups.ByPrompt"/>'s groups and their members; without
    /// it the sampling policy (the iteration's start) is the reference.
    /// </remarks>
    public static GrpoObjective Grpo(CampaignDefinition definition, IReadOnlyList<Rollout> rollouts, IReadOnlyList<float[]>? referenceLogProbs = null)
    {
        string signal = definition.Chain.Signal;
        bool online = signal is ScoreNames.SelfCertainty or ScoreNames.NegativeSelfCertainty;
        int k = 0;
        var groups = RolloutGroups.ByPrompt(rollouts).Select(group => new GrpoPromptGroup(group[0].Tokens.Prompt,
            group.Select(r => new GrpoSample(r.Tokens.Ids, online ? 0 : Score(r, signal),
                r.Tokens.PolicyLogProbs, referenceLogProbs is null ? r.Tokens.PolicyLogProbs : referenceLogProbs[k++])).ToList())).ToList();
        var options = new GrpoOptions(ClipEpsilon: definition.Update.Clip, KlBeta: definition.Update.KlBeta, Averaging: definition.Update.TokenAveraging);
        return new GrpoObjective(groups, options, online ? (float)definition.Temperature : null,
            signal == ScoreNames.NegativeSelfCertainty ? -1 : 1);
    }

    /// <summary>The prompt and response tokens of every rollout, in the order <see cref="Grpo"/> reads reference log-probs.</summary>
    public static List<PromptResponse> GrpoSequences(IReadOnlyList<Rollout> rollouts) => RolloutGroups.ByPrompt(rollouts)
        .SelectMany(g => g.Select(r => new PromptResponse(r.Tokens.Prompt, r.Tokens.Ids))).ToList();

    /// <summary>DPO examples; each response's reference log-likelihood is the sum of its sampling policy's log-probs.</summary>
    public static List<PreferenceExample> Dpo(IReadOnlyList<PreferencePairRecord> pairs) => pairs
        .Select(p => new PreferenceExample(p.PromptTokens, p.Chosen.Tokens, p.Rejected.Tokens, Sum(p.Chosen.PolicyLogProbs),
            Sum(p.Rejected.PolicyLogProbs), p.Weight))
        .ToList();

    /// <summary>Self-training groups with the votes the scoring stage stored.</summary>
    public static List<SelfTrainingGroup> SelfTraining(IReadOnlyList<Rollout> rollouts) => RolloutGroups.ByPrompt(rollouts)
        .Select(g => new SelfTrainingGroup(g[0].Tokens.Prompt, g.Select(r => new SelfTrainingSample(r.Tokens.Ids, r.Answer,
            Score(r, ScoreNames.Votes), Score(r, ScoreNames.Majority) == 1)).ToList()))
        .ToList();

    /// <summary>
    /// SCoRe units: per prompt its first attempts and, aligned by sample index, the second attempt written after each,
    /// rewarded by the verifier; the sampling policy's log-probs are the old and the reference log-probs of both.
    /// </summary>
    public static SCoReObjective SCoRe(CampaignDefinition definition, IReadOnlyList<Rollout> rollouts)
    {
        var u = definition.Update;
        var units = AttemptPairs(rollouts).Select(pairs => new SCoReUnit(
            pairs.Select(p => Attempt(p.First)).ToList(),
            pairs.Select(p => Attempt(p.Second)).ToList())).ToList();
        var options = new SCoReOptions(u.CorrectionBonus, u.FirstAttemptKlBeta, u.KlBeta, u.Clip);
        return new SCoReObjective(units, options, u.StageOneSteps);
    }

    /// <summary>
    /// The correction-sft examples: second attempts the verifier found right whose first attempt it found wrong, with the
    /// correction prompt they were sampled on.
    /// </summary>
    public static List<PromptResponse> SuccessfulCorrections(IReadOnlyList<Rollout> rollouts) => AttemptPairs(rollouts)
        .SelectMany(pairs => pairs)
        .Where(p => Score(p.First, ScoreNames.Verifier) == 0 && Score(p.Second, ScoreNames.Verifier) == 1)
        .Select(p => new PromptResponse(p.Second.Tokens.Prompt, p.Second.Tokens.Ids))
        .ToList();

    /// <summary>Per prompt (in order of first appearance), its (first attempt, second attempt) pairs by sample index.</summary>
    private static List<List<(Rollout First, Rollout Second)>> AttemptPairs(IReadOnlyList<Rollout> rollouts)
    {
        var groups = RolloutGroups.ByPrompt(rollouts);
        return groups.Select(g =>
        {
            var second = g.Where(r => r.Attempt == 2).ToDictionary(r => r.Sample);
            return g.Where(r => r.Attempt == 1).Select(r => (r, second.TryGetValue(r.Sample, out var s)
                ? s
                : throw new InvalidOperationException($"Rollout {r.PromptId}#{r.Sample} has no second attempt; did generation run with the self-correction recipe?")))
                .ToList();
        }).ToList();
    }

    private static SCoReAttempt Attempt(Rollout r) =>
        new(r.Tokens.Prompt, r.Tokens.Ids, Score(r, ScoreNames.Verifier), r.Tokens.PolicyLogProbs, r.Tokens.PolicyLogProbs);

    private static double Score(Rollout rollout, string name) =>
        rollout.Scores.TryGetValue(name, out var value)
            ? value
            : throw new InvalidOperationException($"Rollout {rollout.PromptId}#{rollout.Sample} has no '{name}' score; did the stage that writes it run?");

    private static double Sum(float[] values) => values.Sum(v => (double)v);
}
