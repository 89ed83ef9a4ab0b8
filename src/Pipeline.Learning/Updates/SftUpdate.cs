// Supervised fine-tuning as one optimizer step: the mean NLL of the response tokens, over micro-batches.
using Pipeline.Learning.Objectives;

using Pipeline.Learning.Policies;

namespace Pipeline.Learning.Updates;

/// <summary>SFT update on prompt/response examples.</summary>
public static class SftUpdate
{
    /// <summary>
    /// One optimizer step minimising <see cref="SftLoss"/> over <paramref name="examples"/> (averaged as
    /// <paramref name="averaging"/> says over the whole batch, whatever the micro-batch split).
    /// </summary>
    public static UpdateResult Step(IPolicyTrainer trainer, IReadOnlyList<PromptResponse> examples, TokenAveraging averaging = TokenAveraging.TokenMean)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(examples);
        var passes = MicroBatching.Passes(trainer.Options, examples, e => [e]);
        int totalTokens = examples.Sum(e => e.Response.Length);
        return trainer.Apply(passes.Select(p => p.Batch).ToList(), (i, logProbs) =>
        {
            var pass = passes[i].Batch;
            var loss = SftLoss.Compute(logProbs, averaging);
            double scale = MicroBatching.AveragingScale(averaging, pass.BatchSize, examples.Count, pass.ResponseTokenCount, totalTokens);
            return new TokenLoss(loss.Loss * scale, MicroBatching.Scale(loss.Gradients, scale));
        });
    }
}
