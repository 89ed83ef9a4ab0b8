// Signals of one response from a teacher-forced pass over prompt + response: per-token statistics, each taken from the
// distribution that produced the token (logits row t − 1 for token t), and their sequence-level summaries.
using Pipeline.Engine.Sampling;

namespace Pipeline.Learning.Signals;

/// <summary>Per-token statistics of a response and the sequence signals built from them.</summary>
public sealed class ResponseSignals
{
    private readonly TokenStatistics[] _tokens;

    private ResponseSignals(TokenStatistics[] tokens)
    {
        _tokens = tokens;
        double sc = 0, h = 0, lp = 0;
        foreach (var t in tokens)
        {
            sc += t.SelfCertainty;
            h += t.Entropy;
            lp += t.LogProb;
        }
        SelfCertainty = sc / tokens.Length;
        MeanEntropy = h / tokens.Length;
        SumLogProb = lp;
        Perplexity = Math.Exp(-lp / tokens.Length);
    }

    /// <summary>Statistics of each response token, in order; entry i belongs to response token i.</summary>
    public IReadOnlyList<TokenStatistics> Tokens => _tokens;

    /// <summary>INTUITOR's self-certainty: the mean over response tokens of KL(U‖p_t), log V kept.</summary>
    public double SelfCertainty { get; }

    /// <summary>Mean over response tokens of the entropy H(p_t), in nats.</summary>
    public double MeanEntropy { get; }

    /// <summary>exp(−mean log p_t(o_t)).</summary>
    public double Perplexity { get; }

    /// <summary>Σ_t log p_t(o_t): the response's log-likelihood at the scoring temperature.</summary>
    public double SumLogProb { get; }

    /// <summary>
    /// Computes the signals of the response <c>tokens[responseStart..]</c>. <paramref name="logits"/> holds at least
    /// <c>tokens.Length − 1</c> rows of <paramref name="vocabSize"/> values from a teacher-forced pass over
    /// <paramref name="tokens"/>, row i being the distribution after reading tokens 0..i; so token t is scored with row
    /// t − 1. <paramref name="temperature"/> is the one the response was sampled at (1 for greedy).
    /// </summary>
    public static ResponseSignals Compute(ReadOnlySpan<float> logits, int vocabSize, ReadOnlySpan<int> tokens, int responseStart, float temperature)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabSize, 1);
        if (responseStart < 1) throw new ArgumentOutOfRangeException(nameof(responseStart), responseStart, "The prompt must hold at least one token.");
        if (responseStart >= tokens.Length) throw new ArgumentException("The response holds no token.", nameof(tokens));
        if (logits.Length < (long)(tokens.Length - 1) * vocabSize)
            throw new ArgumentException("The logits hold fewer rows than tokens − 1.", nameof(logits));

        return new ResponseSignals(TokenStatistics.ForResponse(logits, vocabSize, tokens, responseStart, temperature));
    }

    /// <summary>
    /// Signals from per-token statistics already aligned with their tokens (entry i = response token i), e.g. the ones
    /// the sampler records while generating or a teacher-forced scorer returns.
    /// </summary>
    public static ResponseSignals FromTokens(IReadOnlyList<TokenStatistics> tokens)
    {
        if (tokens.Count == 0) throw new ArgumentException("The response holds no token.", nameof(tokens));
        return new ResponseSignals([.. tokens]);
    }

    /// <summary>
    /// RLSF's answer-span confidence: the mean over the response tokens in <paramref name="answerTokens"/> of the
    /// chosen-token probability (or p_top1 − p_top2); 0 when there is no span.
    /// </summary>
    public double AnswerSpanConfidence(IndexRange? answerTokens, AnswerConfidence kind = AnswerConfidence.ChosenTokenProb)
    {
        if (answerTokens is not { Length: > 0 } span) return 0;
        if (span.Start < 0 || span.End > _tokens.Length) throw new ArgumentOutOfRangeException(nameof(answerTokens), span, "The span lies outside the response.");
        double sum = 0;
        for (int i = span.Start; i < span.End; i++)
            sum += kind == AnswerConfidence.ChosenTokenProb ? _tokens[i].Prob : _tokens[i].Top1Prob - _tokens[i].Top2Prob;
        return sum / span.Length;
    }
}
