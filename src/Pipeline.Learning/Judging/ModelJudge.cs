// The judges' model interface over the engine: sampled judge texts from the Generator, and continuation log-probs from
// one teacher-forced pass, so RubricJudge and VerdictJudge can run on the policy itself (Self-Rewarding).
using Pipeline.Engine.Model;
using Pipeline.Engine.Sampling;
using Pipeline.Engine.Tokenization;
using Pipeline.Learning.Updates;

namespace Pipeline.Learning.Judging;

/// <summary>
/// <see cref="IJudgeModel"/> backed by a <see cref="LlamaModel"/> and its tokenizer. Prompt and continuation are encoded
/// separately and concatenated (as the judged texts are sampled). Not thread-safe; shares the model's buffers, so do not
/// use it in the middle of an update.
/// </summary>
public sealed class ModelJudge : IJudgeModel
{
    private readonly LlamaModel _model;
    private readonly ModelTokenizer _tokenizer;
    private readonly SamplingOptions _sampling;
    private readonly bool _prependBos;
    private readonly Generator _generator;
    private long _nextSequence;

    /// <summary>
    /// A judge sampling with <paramref name="sampling"/> (its seed, temperature, stop tokens and length limit); each
    /// <see cref="Sample"/> call draws the random streams following those of the calls before it. With
    /// <paramref name="prependBos"/> every prompt starts with the tokenizer's BOS id.
    /// </summary>
    public ModelJudge(LlamaModel model, ModelTokenizer tokenizer, SamplingOptions sampling, bool prependBos = false)
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
        _generator = new Generator(model);
    }

    /// <inheritdoc />
    /// <remarks>Special tokens (a stop token among them) are left out of the decoded texts.</remarks>
    public IReadOnlyList<string> Sample(string prompt, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var tokens = EncodePrompt(prompt);
        var generated = _generator.Generate(Enumerable.Repeat(tokens, count).ToList(), _sampling, _nextSequence);
        _nextSequence += count;
        return generated.Select(g => _tokenizer.Decode(g.Tokens, skipSpecialTokens: true)).ToList();
    }

    /// <inheritdoc />
    public IReadOnlyList<double> ContinuationLogProbs(string prompt, IReadOnlyList<string> continuations)
    {
        ArgumentNullException.ThrowIfNull(continuations);
        var tokens = EncodePrompt(prompt);
        var pairs = continuations.Select(c => new PromptResponse(tokens, _tokenizer.Encode(c))).ToList();
        return TeacherForcedScores.LogProbs(_model, pairs).Select(l => l.Sum(v => (double)v)).ToList();
    }

    private int[] EncodePrompt(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var tokens = _tokenizer.Encode(prompt);
        return _prependBos ? [_tokenizer.BosId!.Value, .. tokens] : tokens;
    }
}
