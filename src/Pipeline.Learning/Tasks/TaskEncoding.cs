// How a task's texts become model tokens: one character per token (CharacterTokenizerBuilder over the task's alphabet),
// prompts start with BOS and responses end with EOS, which is also the stop token of generation. The bootstrap, the
// evaluator and campaigns share this, so a model trained by one reads texts the same way in the others.
using Pipeline.Engine.Tokenization;

namespace Pipeline.Learning.Tasks;

/// <summary>Tokenizer plus the BOS/EOS conventions of a task's prompts and responses.</summary>
public sealed class TaskEncoding
{
    /// <summary>Wraps <paramref name="tokenizer"/>, which must define BOS and EOS tokens.</summary>
    public TaskEncoding(ModelTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        Tokenizer = tokenizer;
        Bos = tokenizer.BosId ?? throw new ArgumentException("The tokenizer has no BOS token.", nameof(tokenizer));
        Eos = tokenizer.EosId ?? throw new ArgumentException("The tokenizer has no EOS token.", nameof(tokenizer));
        Pad = tokenizer.PadId ?? Eos;
    }

    /// <summary>The character tokenizer of <paramref name="task"/>: pad, BOS, EOS, then one token per alphabet character.</summary>
    public static TaskEncoding ForTask(ITask task) => new(CharacterTokenizerBuilder.Build(task.Alphabet));

    /// <summary>The underlying tokenizer (saved as tokenizer.json next to the model).</summary>
    public ModelTokenizer Tokenizer { get; }

    /// <summary>Id every prompt starts with.</summary>
    public int Bos { get; }

    /// <summary>Id every response ends with, and the generation stop token.</summary>
    public int Eos { get; }

    /// <summary>Id used to fill batch rows beyond a sequence's end.</summary>
    public int Pad { get; }

    /// <summary>BOS followed by the prompt's tokens.</summary>
    public int[] Prompt(string prompt) => [Bos, .. Tokenizer.Encode(prompt)];

    /// <summary>
    /// The second turn's prompt tokens: the first turn's prompt tokens, the first attempt's tokens as sampled (a final EOS
    /// dropped) and <see cref="SelfCorrection.Instruction"/>, so the second attempt is conditioned on exactly what was drawn.
    /// </summary>
    public int[] CorrectionPrompt(IReadOnlyList<int> prompt, IReadOnlyList<int> firstAttempt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(firstAttempt);
        int length = firstAttempt.Count > 0 && firstAttempt[^1] == Eos ? firstAttempt.Count - 1 : firstAttempt.Count;
        return [.. prompt, .. firstAttempt.Take(length), .. Tokenizer.Encode(SelfCorrection.Instruction)];
    }

    /// <summary>The response's tokens followed by EOS.</summary>
    public int[] Response(string response) => [.. Tokenizer.Encode(response), Eos];

    /// <summary>The tokens of a continuation scored after a prompt, without EOS (e.g. a verdict word).</summary>
    public int[] Continuation(string text) => Tokenizer.Encode(text);

    /// <summary>
    /// Each response token's share of <see cref="DecodeResponse"/>'s text, so the pieces concatenate to it (a final EOS
    /// gets ""). Taken from decoded prefixes rather than token by token, which is right for tokenizers whose tokens
    /// split a character (byte-level BPE): such a token's piece is empty and the character goes to the token completing it.
    /// </summary>
    public IReadOnlyList<string> TokenTexts(IReadOnlyList<int> tokens)
    {
        int length = tokens.Count > 0 && tokens[^1] == Eos ? tokens.Count - 1 : tokens.Count;
        var ids = tokens.Take(length).ToArray();
        var pieces = new string[tokens.Count];
        string previous = "";
        for (int i = 0; i < length; i++)
        {
            string prefix = Tokenizer.Decode(ids.AsSpan(0, i + 1));
            // A prefix ending inside a character decodes it as U+FFFD; the shared part with the previous prefix is what is settled.
            int settled = CommonPrefix(previous, prefix);
            pieces[i] = "";
            if (settled < previous.Length) RedistributeTail(pieces, i, previous.Length - settled);
            pieces[i] += prefix[settled..];
            previous = prefix;
        }
        for (int i = length; i < tokens.Count; i++) pieces[i] = "";
        return pieces;
    }

    /// <summary>Text of generated tokens, a final EOS dropped.</summary>
    public string DecodeResponse(IReadOnlyList<int> tokens)
    {
        int length = tokens.Count > 0 && tokens[^1] == Eos ? tokens.Count - 1 : tokens.Count;
        return Tokenizer.Decode(tokens.Take(length).ToArray());
    }

    private static int CommonPrefix(string a, string b)
    {
        int n = Math.Min(a.Length, b.Length), i = 0;
        while (i < n && a[i] == b[i]) i++;
        return i;
    }

    // Takes back the last `count` characters given to earlier pieces (a provisional U+FFFD that a later token completed).
    private static void RedistributeTail(string[] pieces, int current, int count)
    {
        for (int j = current - 1; j >= 0 && count > 0; j--)
        {
            int take = Math.Min(count, pieces[j].Length);
            pieces[j] = pieces[j][..^take];
            count -= take;
        }
    }
}
