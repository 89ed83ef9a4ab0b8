// DPO and IRPO as one optimizer step: each pair's chosen and rejected responses go through the same pass, the loss
// and its per-token gradients come from DpoLoss, and the reference model's summed log-probs are supplied precomputed.
// Each pair carries a weight (RLSF's margin; 1 otherwise) and the step minimises the weighted mean over all its pairs.
using Pipeline.Engine.Model;
using Pipeline.Learning.Objectives;

using Pipeline.Learning.Policies;

namespace Pipeline.Learning.Updates;

/// <summary>A preference pair as token ids, with the reference model's log-likelihood of each response.</summary>
/// <param name="Prompt">The shared prompt.</param>
/// <param name="Chosen">The preferred response y_w.</param>
/// <param name="Rejected">The other response y_l.</param>
/// <param name="ReferenceChosen">Σ log ref(y_w | prompt), e.g. from <see cref="TeacherForcedScores.LogProbs"/> on the reference.</param>
/// <param name="ReferenceRejected">Σ log ref(y_l | prompt).</param>
/// <param name="Weight">The pair's weight in the step's weighted mean (see <see cref="DpoLoss.Compute"/>); 1 when the pair has none.</param>
public sealed record PreferenceExample(int[] Prompt, int[] Chosen, int[] Rejected, double ReferenceChosen, double ReferenceRejected,
    double Weight = 1);

/// <summary>The outcome of a DPO/IRPO step, with the pair diagnostics before it.</summary>
/// <param name="Update">Loss, gradient norm, rate and step.</param>
/// <param name="ChosenReward">Mean β(log π(y_w) − log ref(y_w)) before the step.</param>
/// <param name="RejectedReward">Mean β(log π(y_l) − log ref(y_l)) before the step.</param>
/// <param name="Accuracy">Fraction of pairs whose chosen reward exceeded the rejected one before the step.</param>
public sealed record DpoUpdateResult(UpdateResult Update, double ChosenReward, double RejectedReward, double Accuracy)
{
    /// <summary>Mean implicit reward gap (chosen − rejected) before the step.</summary>
    public double RewardGap => ChosenReward - RejectedReward;
}

/// <summary>DPO (sigmoid loss, β) and IRPO (plus α·NLL(y_w)/|y_w|) updates.</summary>
public static class DpoUpdate
{
    /// <summary>
    /// Builds the examples for <paramref name="pairs"/> of (prompt, chosen, rejected) by scoring both responses under
    /// the frozen <paramref name="reference"/> (IRPO: the previous iteration's model).
    /// </summary>
    public static IReadOnlyList<PreferenceExample> WithReference(ICausalLanguageModel reference,
        IReadOnlyList<(int[] Prompt, int[] Chosen, int[] Rejected)> pairs, int microBatchSize = 8)
    {
        var sequences = pairs.SelectMany(p => new[] { new PromptResponse(p.Prompt, p.Chosen), new PromptResponse(p.Prompt, p.Rejected) }).ToList();
        var logProbs = TeacherForcedScores.LogProbs(reference, sequences, microBatchSize);
        return pairs.Select((p, k) => new PreferenceExample(p.Prompt, p.Chosen, p.Rejected, Sum(logProbs[2 * k]), Sum(logProbs[2 * k + 1]))).ToList();
    }

    /// <summary>
    /// One optimizer step on <see cref="DpoLoss"/> with <paramref name="beta"/> and IRPO weight
    /// <paramref name="nllWeight"/> (0: plain DPO): the mean over all pairs weighted by <see cref="PreferenceExample.Weight"/>,
    /// whatever the micro-batch split; the diagnostics are plain means over pairs.
    /// </summary>
    /// <exception cref="ArgumentException">A pair's weight is not positive and finite.</exception>
    public static DpoUpdateResult Step(IPolicyTrainer trainer, IReadOnlyList<PreferenceExample> pairs, double beta = DpoLoss.DefaultBeta, double nllWeight = 0)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(pairs);
        // Checked before any forward pass, so a bad weight costs nothing and leaves the trainer untouched.
        double totalWeight = DpoLoss.TotalWeight(pairs.Select(p => p.Weight), nameof(pairs));
        var passes = MicroBatching.Passes(trainer.Options, pairs, p => [new PromptResponse(p.Prompt, p.Chosen), new PromptResponse(p.Prompt, p.Rejected)]);
        double chosenReward = 0, rejectedReward = 0, accuracy = 0;
        var update = trainer.Apply(passes.Select(p => p.Batch).ToList(), (i, logProbs) =>
        {
            var (start, count, _) = passes[i];
            var inputs = Enumerable.Range(0, count).Select(k => new PreferenceLogProbs(logProbs[2 * k], logProbs[2 * k + 1],
                pairs[start + k].ReferenceChosen, pairs[start + k].ReferenceRejected, pairs[start + k].Weight)).ToList();
            var result = DpoLoss.Compute(inputs, beta, nllWeight);
            // The micro-batch's loss is its own weighted mean, so its share of the step's is its share of the total weight;
            // the diagnostics are plain means, so theirs is its share of the pairs. With unit weights the two are equal.
            double countShare = (double)count / pairs.Count;
            double share = inputs.Sum(p => p.Weight) / totalWeight;
            chosenReward += countShare * result.ChosenReward;
            rejectedReward += countShare * result.RejectedReward;
            accuracy += countShare * result.Accuracy;
            var gradients = new float[2 * count][];
            for (int k = 0; k < count; k++)
            {
                gradients[2 * k] = result.ChosenGradients[k];
                gradients[2 * k + 1] = result.RejectedGradients[k];
            }
            return new TokenLoss(result.Loss * share, MicroBatching.Scale(gradients, share));
        });
        return new DpoUpdateResult(update, chosenReward, rejectedReward, accuracy);
    }

    private static double Sum(float[] values) => values.Sum(v => (double)v);
}
