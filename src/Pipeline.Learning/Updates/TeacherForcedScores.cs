// Teacher-forced passes (no gradient) over prompt/response pairs: per-token log-probs under a model, used for a frozen
// reference (DPO's and GRPO's KL anchor) or for the policy at sampling time (GRPO's old log-probs); and INTUITOR's
// self-certainty of each response under the model passed in, which is the online reward when that model is the policy.
using Pipeline.Engine.Model;
using Pipeline.Engine.Sampling;
using Pipeline.Learning.Policies;
using Pipeline.Learning.Signals;

namespace Pipeline.Learning.Updates;

/// <summary>Scores of responses under a model, computed in batched teacher-forced passes.</summary>
public static class TeacherForcedScores
{
    /// <summary>
    /// log p(response token i | prompt, earlier tokens) at temperature 1 for every pair, one array per pair in input
    /// order, in passes of at most <paramref name="microBatchSize"/> pairs. Leaves the model's gradients alone.
    /// </summary>
    /// <remarks>
    /// The generator's recorded log-probs are at the sampling temperature; they equal these only when that was 1. The
    /// updates' ratios and KL terms use these (τ = 1) values.
    /// </remarks>
    public static float[][] LogProbs(ICausalLanguageModel model, IReadOnlyList<PromptResponse> sequences, int microBatchSize = 8)
    {
        ArgumentNullException.ThrowIfNull(model);
        var result = new List<float[]>(sequences.Count);
        foreach (var batch in Batches(sequences, microBatchSize))
        {
            batch.RequireVocabulary(model.Config.VocabSize);
            var logProbs = new float[batch.BatchSize * batch.Time];
            model.ForwardLogProbs(batch.Tokens, batch.Targets, batch.BatchSize, batch.Time, logProbs);
            result.AddRange(batch.ResponseLogProbs(logProbs));
        }
        return [.. result];
    }

    /// <summary>
    /// Statistics of softmax(z / <paramref name="temperature"/>) for every response token of every pair, one array per
    /// pair in input order, each token scored by the distribution that produced it.
    /// </summary>
    public static TokenStatistics[][] Statistics(ICausalLanguageModel model, IReadOnlyList<PromptResponse> sequences, float temperature, int microBatchSize = 8)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!(temperature > 0)) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The temperature must be positive.");
        int vocab = model.Config.VocabSize;
        var result = new List<TokenStatistics[]>(sequences.Count);
        foreach (var batch in Batches(sequences, microBatchSize))
        {
            batch.RequireVocabulary(vocab);
            var logits = model.Forward(batch.Tokens, batch.BatchSize, batch.Time);
            for (int b = 0; b < batch.BatchSize; b++)
            {
                var pair = batch.Sequences[b];
                int[] tokens = [.. pair.Prompt, .. pair.Response];
                result.Add(TokenStatistics.ForResponse(logits.Slice(b * batch.Time * vocab, batch.Time * vocab), vocab, tokens, pair.Prompt.Length, temperature));
            }
        }
        return [.. result];
    }

    /// <summary>
    /// Each response's self-certainty (mean over its tokens of KL(U‖softmax(z_t/τ)), log V kept) under
    /// <paramref name="policy"/>, τ being the temperature it was sampled at. INTUITOR's reward is this under the policy
    /// being trained, re-scored before every step (online): a frozen scorer is learnt to be gamed.
    /// </summary>
    public static double[] SelfCertainty(IPolicy policy, IReadOnlyList<PromptResponse> sequences, float temperature, int microBatchSize = 8)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return policy.Statistics(sequences, temperature, microBatchSize).Select(t => ResponseSignals.FromTokens(t).SelfCertainty).ToArray();
    }

    private static IEnumerable<SequenceBatch> Batches(IReadOnlyList<PromptResponse> sequences, int microBatchSize)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(microBatchSize);
        for (int start = 0; start < sequences.Count; start += microBatchSize)
            yield return SequenceBatch.Pack(sequences.Skip(start).Take(microBatchSize).ToList());
    }
}
