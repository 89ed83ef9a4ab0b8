// The judges' model interface over a policy: sampled judge texts, and continuation log-probs from one teacher-forced
// pass, so RubricJudge and VerdictJudge can run on the policy itself (Self-Rewarding).
using Pipeline.Engine.Sampling;
using Pipeline.Engine.Tokenization;
using Pipeline.Learning.Policies;
using Pipeline.Learning.Updates;

namespace Pipeline.Learning.Judging;

/// <summary>
/// <see cref="IJudgeModel"/> backed by an <see cref="IPolicy"/> and its tokenizer. Prompt and continuation are encoded
/// separately and concatenated (as the judged texts are sampled). Not thread-safe; shares the model's buffers, so do not
/// use it in the middle of an update.
/// </summary>
public sealed class ModelJudge : IJudgeModel
{
    private readonly IPolicy _model;
    private readonly ModelTokenizer _tokenizer;
    private readonly SamplingOptions _sampling;
    private readonly bool _prependBos;
    private long _nextSequence;

    /// <summary>
    /// A judge sampling with <paramref name="sampling"/> (its seed, temperature, stop tokens and length limit); each
    /// <see cref="Sample"/> call draws the random streams following those of the calls before it. With
    /// <paramref name="prependBos"/> every prompt starts with the tokenizer's BOS id.
    /// </summary>
    public ModelJudge(IPolicy model, ModelTokenizer tokenizer, SamplingOptions sampling, bool prependBos = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(sampling);
        sampling.Validate(model.Config.VocabSize);
        if (prependBos && tokenizer.BosId is null) throw new ArgumentException("The tokenizer has no BOS token.", nameof(prependBos));
        _model = model;
        _tokenizer = tokenizer;
        _sampling = sampling;
        _prependBos = prependBos;
    }

    /// <inheritdoc />
    /// <remarks>Special tokens (a stop token among them) are left out of the decoded texts.</remarks>
    public IReadOnlyList<string> Sample(string prompt, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var tokens = EncodePrompt(prompt);
        var generated = _model.Generate(Enumerable.Repeat(tokens, count).ToList(), _sampling, _nextSequence);
        _nextSequence += count;
        return generated.Select(g => _tokenizer.Decode(g.Tokens, skipSpecialTokens: true)).ToList();
    }

    /// <inheritdoc />
    public IReadOnlyList<double> ContinuationLogProbs(string prompt, IReadOnlyList<string> continuations)
    {
        ArgumentNullException.ThrowIfNull(continuations);
        var tokens = EncodePrompt(prompt);
        var pairs = continuations.Select(c => new PromptResponse(tokens, _tokenizer.Encode(c))).ToList();
        return _model.LogProbs(pairs, microBatchSize: 8).Select(l => l.Sum(v => (double)v)).ToList();
    }

    private int[] EncodePrompt(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var tokens = _tokenizer.Encode(prompt);
        return _prependBos ? [_tokenizer.BosId!.Value, .. tokens] : tokens;
    }
}
