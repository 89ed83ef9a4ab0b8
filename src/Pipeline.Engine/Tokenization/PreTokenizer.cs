// Splits text into the words BPE runs on, following HF tokenizers' pre_tokenizer section (Split, ByteLevel, Sequence).
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Pipeline.Engine.Tokenization;

/// <summary>What a Split step does with the pieces its pattern matches (HF's SplitDelimiterBehavior).</summary>
internal enum SplitBehavior
{
    Isolated,
    Removed,
    MergedWithPrevious,
    MergedWithNext,
    Contiguous,
}

/// <summary>One step of a pre-tokenizer: every current piece is split again by it.</summary>
internal abstract class PreTokenizerStep
{
    public abstract void Split(string piece, List<string> output);
}

/// <summary>HF's Split pre-tokenizer: a regex (Oniguruma syntax, which .NET reads the same way for these patterns).</summary>
internal sealed class RegexSplitStep(string pattern, SplitBehavior behavior, bool invert) : PreTokenizerStep
{
    private readonly Regex regex = new(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant);

    public override void Split(string piece, List<string> output)
    {
        // Spans alternate between matched and unmatched text; "invert" swaps which of the two counts as the delimiter.
        var spans = new List<(int Start, int End, bool IsDelimiter)>();
        int last = 0;
        foreach (var (start, end) in CodePointRegex.Matches(regex, piece))
        {
            if (start > last)
            {
                spans.Add((last, start, invert));
            }
            spans.Add((start, end, !invert));
            last = end;
        }
        if (last < piece.Length)
        {
            spans.Add((last, piece.Length, invert));
        }
        Emit(piece, spans, output);
    }

    private void Emit(string piece, List<(int Start, int End, bool IsDelimiter)> spans, List<string> output)
    {
        switch (behavior)
        {
            case SplitBehavior.Isolated:
                foreach (var s in spans)
                {
                    output.Add(piece[s.Start..s.End]);
                }
                break;
            case SplitBehavior.Removed:
                foreach (var s in spans)
                {
                    if (!s.IsDelimiter)
                    {
                        output.Add(piece[s.Start..s.End]);
                    }
                }
                break;
            case SplitBehavior.MergedWithPrevious:
                EmitMerged(piece, spans, output, delimiterEndsPiece: true);
                break;
            case SplitBehavior.MergedWithNext:
                EmitMerged(piece, spans, output, delimiterEndsPiece: false);
                break;
            case SplitBehavior.Contiguous:
                int runStart = -1;
                bool runIsDelimiter = false;
                foreach (var s in spans)
                {
                    if (runStart >= 0 && !(s.IsDelimiter && runIsDelimiter))
                    {
                        output.Add(piece[runStart..s.Start]);
                        runStart = -1;
                    }
                    if (runStart < 0)
                    {
                        runStart = s.Start;
                        runIsDelimiter = s.IsDelimiter;
                    }
                }
                if (runStart >= 0)
                {
                    output.Add(piece[runStart..]);
                }
                break;
        }
    }

    private static void EmitMerged(string piece, List<(int Start, int End, bool IsDelimiter)> spans, List<string> output, bool delimiterEndsPiece)
    {
        int pieceStart = 0;
        for (int i = 0; i < spans.Count; i++)
        {
            var s = spans[i];
            if (delimiterEndsPiece && s.IsDelimiter)
            {
                output.Add(piece[pieceStart..s.End]);
                pieceStart = s.End;
            }
            else if (!delimiterEndsPiece && s.IsDelimiter && s.Start > pieceStart)
            {
                output.Add(piece[pieceStart..s.Start]);
                pieceStart = s.Start;
            }
        }
        if (pieceStart < piece.Length)
        {
            output.Add(piece[pieceStart..]);
        }
    }
}

/// <summary>
/// HF's ByteLevel pre-tokenizer: optionally prefixes a space and splits with GPT-2's pattern. The byte-to-character
/// mapping itself is applied by the BPE model, so steps after this one must not split again.
/// </summary>
internal sealed class ByteLevelStep(bool addPrefixSpace, bool useRegex) : PreTokenizerStep
{
    /// <summary>GPT-2's word pattern, which ByteLevel uses when use_regex is on.</summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    private static readonly RegexSplitStep Gpt2Split = new(Gpt2Pattern, SplitBehavior.Isolated, invert: false);

    public override void Split(string piece, List<string> output)
    {
        if (addPrefixSpace && !piece.StartsWith(' '))
        {
            piece = " " + piece;
        }
        if (useRegex)
        {
            Gpt2Split.Split(piece, output);
        }
        else
        {
            output.Add(piece);
        }
    }
}

/// <summary>The steps of a pre_tokenizer section in order; with no steps the whole text is one word.</summary>
internal sealed class PreTokenizer
{
    private readonly PreTokenizerStep[] steps;

    public PreTokenizer(IEnumerable<PreTokenizerStep> steps)
    {
        this.steps = steps.ToArray();
        int byteLevelAt = Array.FindIndex(this.steps, s => s is ByteLevelStep);
        if (byteLevelAt >= 0 && byteLevelAt < this.steps.Length - 1)
        {
            throw new NotSupportedException("A pre-tokenizer step after ByteLevel is not supported.");
        }
        IsByteLevel = byteLevelAt >= 0;
    }

    /// <summary>True when a ByteLevel step is present, so words are mapped to GPT-2's byte alphabet before BPE.</summary>
    public bool IsByteLevel { get; }

    public void Split(string text, List<string> output)
    {
        output.Add(text);
        var next = new List<string>();
        foreach (var step in steps)
        {
            next.Clear();
            foreach (var piece in output)
            {
                if (piece.Length > 0)
                {
                    step.Split(piece, next);
                }
            }
            output.Clear();
            output.AddRange(next);
        }
        output.RemoveAll(p => p.Length == 0);
    }
}

/// <summary>
/// Runs a .NET regex with code-point semantics. .NET matches UTF-16 units, so a letter or digit outside the BMP (two
/// surrogates) would not match \p{L} or \p{N} as it does in HF (Rust/Oniguruma). Such text is matched through a proxy
/// string in which every astral code point becomes one BMP character of the same Unicode category.
/// </summary>
internal static class CodePointRegex
{
    private static readonly char[] CategoryRepresentative = BuildRepresentatives();

    public static IEnumerable<(int Start, int End)> Matches(Regex regex, string text)
    {
        if (text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
        {
            for (var m = regex.Match(text); m.Success; m = m.NextMatch())
            {
                if (m.Length > 0)
                {
                    yield return (m.Index, m.Index + m.Length);
                }
            }
            yield break;
        }

        // proxyToText[i] is the index in text of proxy char i; one extra entry maps the end.
        var proxy = new StringBuilder(text.Length);
        var proxyToText = new List<int>(text.Length + 1);
        for (int i = 0; i < text.Length;)
        {
            proxyToText.Add(i);
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out int used) == System.Buffers.OperationStatus.Done && used == 2)
            {
                proxy.Append(CategoryRepresentative[(int)Rune.GetUnicodeCategory(rune)]);
            }
            else
            {
                proxy.Append(text[i]);
                used = 1;
            }
            i += used;
        }
        proxyToText.Add(text.Length);
        for (var m = regex.Match(proxy.ToString()); m.Success; m = m.NextMatch())
        {
            if (m.Length > 0)
            {
                yield return (proxyToText[m.Index], proxyToText[m.Index + m.Length]);
            }
        }
    }

    // The first non-ASCII BMP character of each category, so that ASCII literals in patterns ('s, 't...) never match a proxy.
    private static char[] BuildRepresentatives()
    {
        var table = new char[32];
        Array.Fill(table, '\uE000');
        var found = new bool[32];
        for (int c = 0xA0; c <= 0xFFFF; c++)
        {
            if (c is >= 0xD800 and <= 0xDFFF)
            {
                continue;
            }
            int category = (int)CharUnicodeInfo.GetUnicodeCategory((char)c);
            if (!found[category])
            {
                found[category] = true;
                table[category] = (char)c;
            }
        }
        return table;
    }
}
