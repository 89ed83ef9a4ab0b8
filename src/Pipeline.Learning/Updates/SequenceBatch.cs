// Packs prompt/response pairs into the engine's [B, T] layout for one teacher-forced pass. Row b holds prompt + response
// without the response's last token (nothing is predicted after it), right-padded; target t is the token at t + 1 when
// that token belongs to the response and −1 otherwise, so prompt and padding positions get neither a log-prob nor a
// gradient. Response token i of row b therefore sits at column |prompt| − 1 + i.
namespace Pipeline.Learning.Updates;

/// <summary>A batch of prompt/response pairs laid out as the engine's tokens and targets [B, T].</summary>
public sealed class SequenceBatch
{
    private readonly int[] _tokens;
    private readonly int[] _targets;
    private readonly int[] _promptLengths;
    private readonly int[] _responseLengths;

    private SequenceBatch(IReadOnlyList<PromptResponse> sequences, int[] tokens, int[] targets, int time)
    {
        Sequences = sequences;
        _tokens = tokens;
        _targets = targets;
        Time = time;
        _promptLengths = sequences.Select(s => s.Prompt.Length).ToArray();
        _responseLengths = sequences.Select(s => s.Response.Length).ToArray();
        ResponseTokenCount = _responseLengths.Sum();
    }

    /// <summary>The packed pairs, in row order.</summary>
    public IReadOnlyList<PromptResponse> Sequences { get; }

    /// <summary>Rows B.</summary>
    public int BatchSize => _promptLengths.Length;

    /// <summary>Columns T: the longest prompt + response − 1 of the batch.</summary>
    public int Time { get; }

    /// <summary>Input tokens [B, T], padding included.</summary>
    public ReadOnlySpan<int> Tokens => _tokens;

    /// <summary>Targets [B, T]: the next token on response positions, −1 elsewhere.</summary>
    public ReadOnlySpan<int> Targets => _targets;

    /// <summary>Response tokens of the whole batch (the positions that are scored).</summary>
    public int ResponseTokenCount { get; }

    /// <summary>
    /// Packs <paramref name="sequences"/> (each with a non-empty prompt and response and no negative id), padding rows
    /// on the right with <paramref name="padToken"/>. The pad id only has to be a valid token: causal attention keeps it
    /// from reaching any scored position.
    /// </summary>
    public static SequenceBatch Pack(IReadOnlyList<PromptResponse> sequences, int padToken = 0)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        if (sequences.Count == 0) throw new ArgumentException("The batch holds no sequence.", nameof(sequences));
        ArgumentOutOfRangeException.ThrowIfNegative(padToken);
        int time = 0;
        for (int s = 0; s < sequences.Count; s++)
        {
            var (prompt, response) = (sequences[s].Prompt, sequences[s].Response);
            if (prompt.Length == 0) throw new ArgumentException($"Sequence {s} has an empty prompt.", nameof(sequences));
            if (response.Length == 0) throw new ArgumentException($"Sequence {s} has an empty response.", nameof(sequences));
            if (prompt.Any(t => t < 0) || response.Any(t => t < 0)) throw new ArgumentException($"Sequence {s} holds a negative token id.", nameof(sequences));
            time = Math.Max(time, prompt.Length + response.Length - 1);
        }

        var tokens = new int[sequences.Count * time];
        var targets = new int[sequences.Count * time];
        Array.Fill(tokens, padToken);
        Array.Fill(targets, -1);
        for (int s = 0; s < sequences.Count; s++)
        {
            var (prompt, response) = (sequences[s].Prompt, sequences[s].Response);
            var row = tokens.AsSpan(s * time, time);
            prompt.CopyTo(row);
            response.AsSpan(0, response.Length - 1).CopyTo(row[prompt.Length..]);
            response.CopyTo(targets.AsSpan(s * time + prompt.Length - 1, response.Length));
        }
        return new SequenceBatch(sequences, tokens, targets, time);
    }

    /// <summary>Tokens of row <paramref name="row"/>'s response.</summary>
    public int ResponseLength(int row) => _responseLengths[row];

    /// <summary>
    /// Each row's response-token log-probs out of a <c>ForwardLogProbs</c> output [B, T] over this batch: entry i of
    /// row b is log p(response token i | prompt, earlier response tokens).
    /// </summary>
    public float[][] ResponseLogProbs(ReadOnlySpan<float> logProbs)
    {
        RequireShape(logProbs.Length, nameof(logProbs));
        var result = new float[BatchSize][];
        for (int b = 0; b < BatchSize; b++)
            result[b] = logProbs.Slice(ResponseStart(b), _responseLengths[b]).ToArray();
        return result;
    }

    /// <summary>
    /// Writes per-response-token gradients (one array per row, as <see cref="ResponseLogProbs"/> returns log-probs) into
    /// a dLogProbs buffer [B, T] for <c>Backward</c>, with zeros on every prompt and padding position.
    /// </summary>
    public void ScatterGradients(IReadOnlyList<float[]> gradients, Span<float> dLogProbs)
    {
        RequireShape(dLogProbs.Length, nameof(dLogProbs));
        if (gradients.Count != BatchSize) throw new ArgumentException($"Expected {BatchSize} gradient arrays.", nameof(gradients));
        dLogProbs.Clear();
        for (int b = 0; b < BatchSize; b++)
        {
            if (gradients[b].Length != _responseLengths[b])
                throw new ArgumentException($"Row {b} has {_responseLengths[b]} response tokens but {gradients[b].Length} gradients.", nameof(gradients));
            gradients[b].CopyTo(dLogProbs.Slice(ResponseStart(b), _responseLengths[b]));
        }
    }

    /// <summary>Column of row <paramref name="row"/>'s first response target, as an index into [B, T].</summary>
    internal int ResponseStart(int row) => row * Time + _promptLengths[row] - 1;

    /// <summary>Throws when a token id of the batch is outside [0, <paramref name="vocabularySize"/>).</summary>
    internal void RequireVocabulary(int vocabularySize)
    {
        int bad = Array.FindIndex(_tokens, t => t >= vocabularySize);
        if (bad >= 0)
            throw new ArgumentOutOfRangeException(nameof(vocabularySize), $"Token {_tokens[bad]} at [{bad / Time}, {bad % Time}] is outside the vocabulary [0, {vocabularySize}).");
    }

    private void RequireShape(int length, string name)
    {
        if (length != BatchSize * Time) throw new ArgumentException($"Expected B·T = {BatchSize * Time} entries.", name);
    }
}
