// GRPO as one optimizer step over groups of sampled responses: every group goes through one pass (its advantages need
// all of its rewards), the per-token PPO-clip + k3 loss and gradients come from GrpoLoss, and the old-policy and
// reference log-probs are supplied precomputed. The rewards are the caller's: the verifier's 0/1, a judge's score, or
// INTUITOR's self-certainty re-scored under the current policy (TeacherForcedScores.SelfCertainty) before each step.
using Pipeline.Learning.Judging;
using Pipeline.Learning.Objectives;

using Pipeline.Learning.Policies;

namespace Pipeline.Learning.Updates;

/// <summary>One sampled response of a GRPO group.</summary>
/// <param name="Response">The response tokens.</param>
/// <param name="Reward">Its scalar reward u_i.</param>
/// <param name="OldLogProbs">
/// Per-token log-probs (τ = 1) under the policy that sampled it; null means the current policy (ratio 1), which is
/// exact for the first step on freshly sampled responses.
/// </param>
/// <param name="ReferenceLogProbs">Per-token log-probs under the frozen reference; required unless β = 0.</param>
public sealed record GrpoSample(int[] Response, double Reward, float[]? OldLogProbs = null, float[]? ReferenceLogProbs = null);

/// <summary>The G sampled responses of one prompt.</summary>
/// <param name="Prompt">The prompt tokens.</param>
/// <param name="Samples">Its responses with their rewards.</param>
public sealed record GrpoPromptGroup(int[] Prompt, IReadOnlyList<GrpoSample> Samples);

/// <summary>The outcome of a GRPO step, with the batch diagnostics before it.</summary>
/// <param name="Update">Loss, gradient norm, rate and step.</param>
/// <param name="Advantages">Each response's advantage, groups concatenated in input order.</param>
/// <param name="ClipFraction">Fraction of response tokens whose clipped term was active.</param>
/// <param name="MeanKl">Mean k3 KL estimate per response token (0 without reference log-probs).</param>
public sealed record GrpoUpdateResult(UpdateResult Update, IReadOnlyList<double> Advantages, double ClipFraction, double MeanKl);

/// <summary>GRPO update (group-normalised advantages, PPO clip, k3 KL to a reference).</summary>
public static class GrpoUpdate
{
    /// <summary>
    /// One optimizer step on <see cref="GrpoLoss"/> with <paramref name="options"/>; the token averaging it names
    /// (<see cref="GrpoOptions.Averaging"/>) spans the whole batch whatever the micro-batch split.
    /// </summary>
    public static GrpoUpdateResult Step(IPolicyTrainer trainer, IReadOnlyList<GrpoPromptGroup> groups, GrpoOptions options)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(options);
        if (groups.Any(g => g.Samples.Count == 0)) throw new ArgumentException("A group holds no response.", nameof(groups));
        var passes = MicroBatching.Passes(trainer.Options, groups, g => g.Samples.Select(s => new PromptResponse(g.Prompt, s.Response)));
        int totalSequences = groups.Sum(g => g.Samples.Count);
        int totalTokens = groups.Sum(g => g.Samples.Sum(s => s.Response.Length));
        var advantages = new List<double>();
        double clipped = 0, kl = 0;
        var update = trainer.Apply(passes.Select(p => p.Batch).ToList(), (i, logProbs) =>
        {
            var (start, count, batch) = passes[i];
            var inputs = new List<GrpoGroup>(count);
            int row = 0;
            foreach (var group in groups.Skip(start).Take(count))
            {
                var sequences = group.Samples.Select(s => new GrpoSequence(logProbs[row++], s.OldLogProbs, s.ReferenceLogProbs)).ToList();
                inputs.Add(new GrpoGroup(group.Samples.Select(s => s.Reward).ToList(), sequences));
            }
            var result = GrpoLoss.Compute(inputs, options);
            advantages.AddRange(result.Advantages);
            double tokenShare = (double)batch.ResponseTokenCount / totalTokens;
            clipped += tokenShare * result.ClipFraction;
            kl += tokenShare * result.MeanKl;
            double scale = MicroBatching.AveragingScale(options.Averaging, batch.BatchSize, totalSequences, batch.ResponseTokenCount, totalTokens);
            return new TokenLoss(result.Loss * scale, MicroBatching.Scale(result.Gradients, scale));
        });
        return new GrpoUpdateResult(update, advantages, clipped, kl);
    }

    /// <summary>
    /// Rewards from judge scores of one group: each response's score, and for a response whose judge outputs were all
    /// unreadable the mean of the group's readable scores (advantage 0: neither rewarded nor punished); all 0 when none
    /// is readable. The unreadable count is returned so it can be reported.
    /// </summary>
    public static (double[] Rewards, int Unscored) JudgeRewards(IReadOnlyList<JudgeScore> scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        var readable = scores.Where(s => s.Score.HasValue).Select(s => s.Score!.Value).ToList();
        double fill = readable.Count > 0 ? readable.Average() : 0;
        return (scores.Select(s => s.Score ?? fill).ToArray(), scores.Count - readable.Count);
    }
}
