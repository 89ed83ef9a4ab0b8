// Prompt + response pairs laid out as one right-padded [B, T] batch for a teacher-forced pass: position t's target is
// token t + 1 when that token belongs to the response, −1 (ignored) on prompt and padding. Right padding is safe
// without a mask because attention is causal: padding never influences the positions before it.
namespace Pipeline.Learning.Bootstrap;

internal sealed class PromptResponseBatch
{
    private PromptResponseBatch(int[] tokens, int[] targets, int batch, int time, int[] responseStarts, int[] responseLengths)
    {
        Tokens = tokens;
        Targets = targets;
        Batch = batch;
        Time = time;
        ResponseStarts = responseStarts;
        ResponseLengths = responseLengths;
    }

    public int[] Tokens { get; }
    public int[] Targets { get; }
    public int Batch { get; }
    public int Time { get; }

    /// <summary>Row-local position whose target is the first response token (prompt length − 1).</summary>
    public int[] ResponseStarts { get; }

    public int[] ResponseLengths { get; }

    public int TargetCount => ResponseLengths.Sum();

    public static PromptResponseBatch Pack(IReadOnlyList<(int[] Prompt, int[] Response)> rows, int pad)
    {
        if (rows.Count == 0) throw new ArgumentException("A batch needs at least one row.", nameof(rows));
        // The last token is only ever a target, never an input, so a row needs prompt + response − 1 positions.
        int time = rows.Max(r => r.Prompt.Length + r.Response.Length - 1);
        var tokens = new int[rows.Count * time];
        var targets = new int[rows.Count * time];
        Array.Fill(tokens, pad);
        Array.Fill(targets, -1);
        var starts = new int[rows.Count];
        var lengths = new int[rows.Count];
        for (int b = 0; b < rows.Count; b++)
        {
            var (prompt, response) = rows[b];
            if (prompt.Length == 0) throw new ArgumentException($"Row {b} has an empty prompt.", nameof(rows));
            if (response.Length == 0) throw new ArgumentException($"Row {b} has an empty response.", nameof(rows));
            int row = b * time;
            prompt.CopyTo(tokens, row);
            response.AsSpan(0, response.Length - 1).CopyTo(tokens.AsSpan(row + prompt.Length));
            response.CopyTo(targets, row + prompt.Length - 1);
            starts[b] = prompt.Length - 1;
            lengths[b] = response.Length;
        }
        return new PromptResponseBatch(tokens, targets, rows.Count, time, starts, lengths);
    }
}
