// Per-token statistics of one next-token distribution, computed straight from its logits row: the chosen token's
// log-probability, the entropy, self-certainty (INTUITOR) and the two largest probabilities (RLSF's confidence variant).
// Shared by the sampler (statistics at generation time) and the learning signals (teacher-forced re-scoring).
using System.Numerics.Tensors;

namespace Pipeline.Engine.Sampling;

/// <summary>
/// Statistics of p = softmax(z / τ) for one logits row z of length V and the token that was drawn from it.
/// </summary>
/// <param name="LogProb">log p(token).</param>
/// <param name="Entropy">H(p) = −Σ_j p_j log p_j, in nats.</param>
/// <param name="SelfCertainty">KL(U‖p) = logsumexp(z/τ) − mean_j(z/τ) − log V, in nats; 0 for a uniform p.</param>
/// <param name="Top1Prob">The largest probability.</param>
/// <param name="Top2Prob">The second largest probability (0 when V = 1).</param>
public readonly record struct TokenStatistics(float LogProb, float Entropy, float SelfCertainty, float Top1Prob, float Top2Prob)
{
    /// <summary>p(token) = exp(<see cref="LogProb"/>).</summary>
    public float Prob => MathF.Exp(LogProb);

    /// <summary>
    /// Computes the statistics of softmax(<paramref name="logits"/> / <paramref name="temperature"/>) for
    /// <paramref name="token"/>. <paramref name="scratch"/> (length ≥ V) is overwritten; nothing is allocated.
    /// The logits must be finite; the temperature is the one the token was sampled at (1 for greedy or unset).
    /// </summary>
    public static TokenStatistics Compute(ReadOnlySpan<float> logits, float temperature, int token, Span<float> scratch)
    {
        int vocab = logits.Length;
        if (vocab == 0) throw new ArgumentException("The logits row is empty.", nameof(logits));
        if (!(temperature > 0f) || float.IsInfinity(temperature))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The temperature must be positive and finite.");
        if ((uint)token >= (uint)vocab) throw new ArgumentOutOfRangeException(nameof(token), token, "The token is outside the vocabulary.");
        if (scratch.Length < vocab) throw new ArgumentException("The scratch buffer is shorter than the logits row.", nameof(scratch));

        Span<float> e = scratch[..vocab];
        float invTemperature = 1f / temperature;

        // Shift by the max before exponentiating so that no term overflows; Z ≥ 1 because the max term is exp(0).
        float maxScaled = TensorPrimitives.Max(logits) * invTemperature;
        TensorPrimitives.Multiply(logits, invTemperature, e);
        TensorPrimitives.Add(e, -maxScaled, e);
        TensorPrimitives.Exp(e, e);
        double z = TensorPrimitives.Sum((ReadOnlySpan<float>)e);
        double logZ = Math.Log(z);
        double logSumExp = maxScaled + logZ;

        // H = logsumexp(s) − Σ p_j s_j with s = z/τ, written relative to the max; the logits row serves as the second
        // operand of the dot product, so one scratch row suffices. Float accumulation costs about 1e-7·|z| in H.
        double expectedShifted = TensorPrimitives.Dot(e, logits) * invTemperature / z - maxScaled;
        double entropy = Math.Max(0.0, logZ - expectedShifted);

        double meanScaled = TensorPrimitives.Sum(logits) * invTemperature / vocab;
        double selfCertainty = Math.Max(0.0, logSumExp - meanScaled - Math.Log(vocab));

        double logProb = logits[token] * invTemperature - logSumExp;

        // The top term of e is exactly 1; zero it and take the next maximum for the runner-up.
        double top1 = 1.0 / z;
        double top2 = 0.0;
        if (vocab > 1)
        {
            e[TensorPrimitives.IndexOfMax((ReadOnlySpan<float>)e)] = 0f;
            top2 = TensorPrimitives.Max((ReadOnlySpan<float>)e) / z;
        }

        return new TokenStatistics((float)Math.Min(0.0, logProb), (float)entropy, (float)selfCertainty, (float)top1, (float)top2);
    }

    /// <summary>log softmax(<paramref name="logits"/>)[<paramref name="token"/>] at temperature 1, without a scratch row.</summary>
    public static float LogProbability(ReadOnlySpan<float> logits, int token)
    {
        if ((uint)token >= (uint)logits.Length) throw new ArgumentOutOfRangeException(nameof(token), token, "The token is outside the vocabulary.");
        float max = TensorPrimitives.Max(logits);
        double z = 0;
        foreach (float v in logits) z += Math.Exp(v - max);
        return (float)Math.Min(0.0, logits[token] - max - Math.Log(z));
    }

    /// <summary>
    /// Statistics of each response token <c>tokens[responseStart..]</c> from a teacher-forced pass over
    /// <paramref name="tokens"/>: <paramref name="logits"/> row i is the distribution after reading tokens 0..i, so token t
    /// is scored with row t − 1 (the distribution that produced it), never row t.
    /// </summary>
    public static TokenStatistics[] ForResponse(ReadOnlySpan<float> logits, int vocabSize, ReadOnlySpan<int> tokens, int responseStart, float temperature)
    {
        var scratch = new float[vocabSize];
        var statistics = new TokenStatistics[tokens.Length - responseStart];
        for (int t = responseStart; t < tokens.Length; t++)
        {
            statistics[t - responseStart] = Compute(logits.Slice((t - 1) * vocabSize, vocabSize), temperature, tokens[t], scratch);
        }

        return statistics;
    }
}
