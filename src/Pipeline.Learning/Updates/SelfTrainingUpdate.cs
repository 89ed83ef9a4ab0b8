// Majority-vote self-training (easy-to-hard) as one step: the filter keeps, per prompt, the first sample carrying an
// answer enough samples agree on (and not far shorter than the rest), and the kept samples are trained on with SFT.
using Pipeline.Learning.Objectives;

using Pipeline.Learning.Policies;

namespace Pipeline.Learning.Updates;

/// <summary>A sampled solution for self-training: its tokens and the vote scoring gave its answer.</summary>
/// <param name="Response">The response tokens (its length is what the length filter compares).</param>
/// <param name="Answer">The extracted final answer, or null when it has none.</param>
/// <param name="VoteShare">Share of the prompt's samples with the same answer (0 without one).</param>
/// <param name="Majority">Whether the answer is the prompt's majority answer.</param>
public sealed record SelfTrainingSample(int[] Response, string? Answer, double VoteShare, bool Majority);

/// <summary>The samples of one prompt.</summary>
/// <param name="Prompt">The prompt tokens.</param>
/// <param name="Samples">Its sampled solutions.</param>
public sealed record SelfTrainingGroup(int[] Prompt, IReadOnlyList<SelfTrainingSample> Samples);

/// <summary>What the filter kept and the SFT step taken on it.</summary>
/// <param name="Selection">Kept examples and the counts of what was dropped.</param>
/// <param name="Update">The SFT step, or null when nothing was kept (no step is taken then).</param>
public sealed record SelfTrainingResult(SelfTrainingSelection Selection, UpdateResult? Update);

/// <summary>Majority-vote filtered SFT.</summary>
public static class SelfTrainingUpdate
{
    /// <summary>
    /// Selects with <see cref="MajorityVoteFilter.Select"/> (majority vote share ≥ <paramref name="minVoteShare"/>, length ≥
    /// <paramref name="minLengthFraction"/> of the kept mean, in tokens) and takes one <see cref="SftUpdate"/> step on the kept samples.
    /// </summary>
    public static SelfTrainingResult Step(IPolicyTrainer trainer, IReadOnlyList<SelfTrainingGroup> groups,
        double minVoteShare = 0.5, double minLengthFraction = 0.5, TokenAveraging averaging = TokenAveraging.TokenMean)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(groups);
        var candidates = groups.Select(g => (IReadOnlyList<SelfTrainingCandidate>)g.Samples
            .Select(s => new SelfTrainingCandidate(s.Answer, s.VoteShare, s.Majority, s.Response.Length)).ToList()).ToList();
        var selection = MajorityVoteFilter.Select(candidates, minVoteShare, minLengthFraction);
        if (selection.Kept.Count == 0) return new SelfTrainingResult(selection, null);
        var examples = selection.Kept.Select(k => new PromptResponse(groups[k.Group].Prompt, groups[k.Group].Samples[k.Candidate].Response)).ToList();
        return new SelfTrainingResult(selection, SftUpdate.Step(trainer, examples, averaging));
    }
}
