// Teacher-forced scoring of a given response: one full forward pass over prompt + response, then for each response
// token t the statistics of the distribution at position t − 1, the one that produced it.
using Pipeline.Engine.Model;

namespace Pipeline.Engine.Sampling;

/// <summary>Per-token statistics of a response under a model, and their means over the response.</summary>
/// <param name="Tokens">One entry per response token, in order.</param>
public sealed record ScoredResponse(TokenStatistics[] Tokens)
{
    /// <summary>Mean log-prob per token.</summary>
    public double MeanLogProb => Mean(s => s.LogProb);

    /// <summary>Mean entropy per token, in nats.</summary>
    public double MeanEntropy => Mean(s => s.Entropy);

    /// <summary>Mean self-certainty KL(U‖p) per token (log V kept), in nats: INTUITOR's sequence score.</summary>
    public double MeanSelfCertainty => Mean(s => s.SelfCertainty);

    private double Mean(Func<TokenStatistics, float> value) => Tokens.Length == 0 ? 0.0 : Tokens.Average(s => (double)value(s));
}

/// <summary>Scores responses by a teacher-forced forward pass.</summary>
public static class ResponseScorer
{
    /// <summary>
    /// Statistics of softmax(z / <paramref name="temperature"/>) for each response token, z being the logits at the
    /// position before it. The prompt must be non-empty (the first response token needs a distribution) and prompt plus
    /// response must fit in max_position_embeddings. Overwrites the model's <see cref="LlamaModel.Logits"/>.
    /// </summary>
    public static ScoredResponse Score(LlamaModel model, int[] prompt, int[] response, float temperature = 1f)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(response);
        if (prompt.Length == 0)
        {
            throw new ArgumentException("The prompt is empty: the first response token has no distribution to score it.", nameof(prompt));
        }

        if (response.Length == 0)
        {
            return new ScoredResponse([]);
        }

        int[] sequence = [.. prompt, .. response];
        ReadOnlySpan<float> logits = model.Forward(sequence, 1, sequence.Length);
        var statistics = TokenStatistics.ForResponse(logits, model.Config.VocabSize, sequence, prompt.Length, temperature);
        return new ScoredResponse(statistics);
    }
}
