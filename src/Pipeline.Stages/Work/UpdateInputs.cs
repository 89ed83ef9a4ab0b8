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

    private static double Score(Rollout rollout, string name) =>
        rollout.Scores.TryGetValue(name, out var value)
            ? value
            : throw new InvalidOperationException($"Rollout {rollout.PromptId}#{rollout.Sample} has no '{name}' score; did the stage that writes it run?");

    private static double Sum(float[] values) => values.Sum(v => (double)v);
}
