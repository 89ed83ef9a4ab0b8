// What a generation call samples with: temperature, top-k, top-p, stop tokens, length limit, the seed of the
// per-sequence random streams and the thread bound of the decoder's own loops.
namespace Pipeline.Engine.Sampling;

/// <summary>Settings of one <see cref="Generator.Generate"/> call.</summary>
public sealed record SamplingOptions
{
    /// <summary>
    /// τ: tokens are drawn from softmax(z / τ), and that distribution's statistics are recorded. 0 means greedy
    /// (argmax, lowest id on ties), whose statistics are those of softmax(z).
    /// </summary>
    public float Temperature { get; init; } = 1f;

    /// <summary>Keep only the k most likely tokens before drawing; 0 keeps all.</summary>
    public int TopK { get; init; }

    /// <summary>Nucleus: keep the smallest most-likely set whose probability reaches p (after top-k); 1 keeps all.</summary>
    public float TopP { get; init; } = 1f;

    /// <summary>Generation stops after this many new tokens (a stop token counts as one).</summary>
    public int MaxNewTokens { get; init; } = 64;

    /// <summary>Token ids that end a sequence (EOS and any others); the stop token is kept as the last token.</summary>
    public IReadOnlyList<int> StopTokens { get; init; } = [];

    /// <summary>Sequences decoded together at most (the key/value cache is sized for this many); results do not depend on it.</summary>
    public int MaxBatchSize { get; init; } = 64;

    /// <summary>Seed of the random streams: sequence i draws from a stream determined by (Seed, i) alone.</summary>
    public ulong Seed { get; init; }

    /// <summary>
    /// Throws unless every prompt holds at least one token (generation conditions on it) and only ids inside
    /// [0, <paramref name="vocabularySize"/>); every sampler checks its input this one way.
    /// </summary>
    public static void ValidatePrompts(IReadOnlyList<int[]> prompts, int vocabularySize)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        for (int i = 0; i < prompts.Count; i++)
        {
            if (prompts[i] is not { Length: > 0 } prompt)
            {
                throw new ArgumentException($"Prompt {i} is empty: generation needs at least one token to condition on.", nameof(prompts));
            }

            foreach (int token in prompt)
            {
                if ((uint)token >= (uint)vocabularySize)
                {
                    throw new ArgumentOutOfRangeException(nameof(prompts), $"Prompt {i} holds token {token}, outside the vocabulary [0, {vocabularySize}).");
                }
            }
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> for values outside their ranges.</summary>
    public void Validate(int vocabularySize)
    {
        if (!(Temperature >= 0f) || float.IsInfinity(Temperature))
        {
            throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "The temperature must be finite and ≥ 0.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(TopK, nameof(TopK));
        if (!(TopP > 0f && TopP <= 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(TopP), TopP, "top-p must be in (0, 1].");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxNewTokens, nameof(MaxNewTokens));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxBatchSize, nameof(MaxBatchSize));
        foreach (int token in StopTokens)
        {
            if ((uint)token >= (uint)vocabularySize)
            {
                throw new ArgumentOutOfRangeException(nameof(StopTokens), token, "A stop token is outside the vocabulary.");
            }
        }
    }
}
