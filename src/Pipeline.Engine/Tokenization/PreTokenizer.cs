// Splits text into the words BPE runs on, following HF tokenizers' pre_tokenizer section (Split, ByteLevel, Sequence).
// Words are ranges of the text rather than strings, so that tokens keep their offsets and encoding allocates nothing.
using System.Buffers;
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

/// <summary>
/// A word: <see cref="Length"/> characters of the text from <see cref="Start"/>, preceded by a space that is not in the
/// text when <see cref="PrefixSpace"/> (ByteLevel's add_prefix_space). A word can be that space alone (Length 0), which
/// then stands before the character at Start.
/// </summary>
internal readonly record struct Word(int Start, int Length, bool PrefixSpace)
{
    /// <summary>The word's characters, including its prefix space.</summary>
    public int TotalLength => Length + (PrefixSpace ? 1 : 0);

    /// <summary>The word as a string.</summary>
    public string ToString(ReadOnlySpan<char> text) =>
        PrefixSpace ? string.Concat(" ", text.Slice(Start, Length)) : text.Slice(Start, Length).ToString();

    /// <summary>Writes the word into <paramref name="buffer"/> (at least <see cref="TotalLength"/> long); returns it.</summary>
    public ReadOnlySpan<char> CopyTo(ReadOnlySpan<char> text, Span<char> buffer)
    {
        if (!PrefixSpace)
        {
            return text.Slice(Start, Length);
        }
        buffer[0] = ' ';
        text.Slice(Start, Length).CopyTo(buffer[1..]);
        return buffer[..TotalLength];
    }
}

/// <summary>One step of a pre-tokenizer: every current piece is split again by it.</summary>
internal abstract class PreTokenizerStep
{
    /// <summary>Appends the pieces <paramref name="piece"/> (a range of <paramref name="text"/>) splits into.</summary>
    public abstract void Split(ReadOnlySpan<char> text, Word piece, List<Word> output);
}

/// <summary>HF's Split pre-tokenizer: a regex (Oniguruma syntax, which .NET reads the same way for these patterns).</summary>
internal sealed class RegexSplitStep(string pattern, SplitBehavior behavior, bool invert) : PreTokenizerStep
{
    private readonly Regex regex = new(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant);

    [ThreadStatic] private static List<(int Start, int End, bool IsDelimiter)>? spansScratch;

    public override void Split(ReadOnlySpan<char> text, Word piece, List<Word> output)
    {
        var pieces = PieceScratch.Rent();
        try
        {
            SplitRanges(text.Slice(piece.Start, piece.Length), pieces);
            foreach (var (start, end) in pieces)
            {
                output.Add(new Word(piece.Start + start, end - start, false));
            }
        }
        finally
        {
            PieceScratch.Return(pieces);
        }
    }

    /// <summary>Appends the [start, end) ranges of <paramref name="text"/> this step splits it into.</summary>
    public void SplitRanges(ReadOnlySpan<char> text, List<(int Start, int End)> output)
    {
        // Spans alternate between matched and unmatched text; "invert" swaps which of the two counts as the delimiter.
        var spans = spansScratch ??= [];
        spans.Clear();
        int last = 0;
        var matches = PieceScratch.Rent();
        try
        {
            CodePointRegex.Matches(regex, text, matches);
            foreach (var (start, end) in matches)
            {
                if (start > last)
                {
                    spans.Add((last, start, invert));
                }
                spans.Add((start, end, !invert));
                last = end;
            }
        }
        finally
        {
            PieceScratch.Return(matches);
        }
        if (last < text.Length)
        {
            spans.Add((last, text.Length, invert));
        }
        Emit(text.Length, spans, output);
    }

    private void Emit(int length, List<(int Start, int End, bool IsDelimiter)> spans, List<(int Start, int End)> output)
    {
        switch (behavior)
        {
            case SplitBehavior.Isolated:
                foreach (var s in spans)
                {
                    output.Add((s.Start, s.End));
                }
                break;
            case SplitBehavior.Removed:
                foreach (var s in spans)
                {
                    if (!s.IsDelimiter)
                    {
                        output.Add((s.Start, s.End));
                    }
                }
                break;
            case SplitBehavior.MergedWithPrevious:
                EmitMerged(length, spans, output, delimiterEndsPiece: true);
                break;
            case SplitBehavior.MergedWithNext:
                EmitMerged(length, spans, output, delimiterEndsPiece: false);
                break;
            case SplitBehavior.Contiguous:
                int runStart = -1;
                bool runIsDelimiter = false;
                foreach (var s in spans)
                {
                    if (runStart >= 0 && !(s.IsDelimiter && runIsDelimiter))
                    {
                        output.Add((runStart, s.Start));
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
                    output.Add((runStart, length));
                }
                break;
        }
    }

    private static void EmitMerged(int length, List<(int Start, int End, bool IsDelimiter)> spans, List<(int Start, int End)> output,
        bool delimiterEndsPiece)
    {
        int pieceStart = 0;
        foreach (var s in spans)
        {
            if (delimiterEndsPiece && s.IsDelimiter)
            {
                output.Add((pieceStart, s.End));
                pieceStart = s.End;
            }
            else if (!delimiterEndsPiece && s.IsDelimiter && s.Start > pieceStart)
            {
                output.Add((pieceStart, s.Start));
                pieceStart = s.Start;
            }
        }
        if (pieceStart < length)
        {
            output.Add((pieceStart, length));
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

    public override void Split(ReadOnlySpan<char> text, Word piece, List<Word> output)
    {
        var span = text.Slice(piece.Start, piece.Length);
        bool prefix = addPrefixSpace && span[0] != ' ';
        if (!useRegex)
        {
            output.Add(piece with { PrefixSpace = prefix });
            return;
        }
        if (!prefix)
        {
            Gpt2Split.Split(text, piece, output);
            return;
        }

        // The pattern runs over " " + piece; a range starting at 0 includes the space, the others shift back by one.
        char[] buffer = ArrayPool<char>.Shared.Rent(span.Length + 1);
        var pieces = PieceScratch.Rent();
        try
        {
            buffer[0] = ' ';
            span.CopyTo(buffer.AsSpan(1));
            Gpt2Split.SplitRanges(buffer.AsSpan(0, span.Length + 1), pieces);
            foreach (var (start, end) in pieces)
            {
                output.Add(start == 0
                    ? new Word(piece.Start, end - 1, PrefixSpace: true)
                    : new Word(piece.Start + start - 1, end - start, PrefixSpace: false));
            }
        }
        finally
        {
            PieceScratch.Return(pieces);
            ArrayPool<char>.Shared.Return(buffer);
        }
    }
}

/// <summary>The steps of a pre_tokenizer section in order; with no steps the whole text is one word.</summary>
internal sealed class PreTokenizer
{
    private readonly PreTokenizerStep[] steps;

    [ThreadStatic] private static List<Word>? nextScratch;

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

    /// <summary>Appends the words of <paramref name="text"/> in order, leaving out empty ones.</summary>
    public void Split(ReadOnlySpan<char> text, List<Word> output)
    {
        int first = output.Count;
        if (text.Length > 0)
        {
            output.Add(new Word(0, text.Length, false));
        }
        if (steps.Length == 0)
        {
            return;
        }
        var next = nextScratch ??= [];
        foreach (var step in steps)
        {
            next.Clear();
            for (int i = first; i < output.Count; i++)
            {
                step.Split(text, output[i], next);
            }
            output.RemoveRange(first, output.Count - first);
            foreach (var word in next)
            {
                if (word.TotalLength > 0)
                {
                    output.Add(word);
                }
            }
        }
    }
}

/// <summary>Reusable lists of ranges for the steps, which nest (ByteLevel runs a Split), so one per depth is lent out.</summary>
internal static class PieceScratch
{
    [ThreadStatic] private static Stack<List<(int Start, int End)>>? free;

    public static List<(int Start, int End)> Rent()
    {
        var stack = free ??= new Stack<List<(int, int)>>();
        var list = stack.Count > 0 ? stack.Pop() : [];
        list.Clear();
        return list;
    }

    public static void Return(List<(int Start, int End)> list) => (free ??= new Stack<List<(int, int)>>()).Push(list);
}

/// <summary>
/// Runs a .NET regex with code-point semantics. .NET matches UTF-16 units, so a letter or digit outside the BMP (two
/// surrogates) would not match \p{L} or \p{N} as it does in HF (Rust/Oniguruma). Such text is matched through a proxy
/// in which every astral code point becomes one BMP character of the same Unicode category.
/// </summary>
internal static class CodePointRegex
{
    private static readonly char[] CategoryRepresentative = BuildRepresentatives();

    /// <summary>Appends the [start, end) ranges of the non-empty matches of <paramref name="regex"/> in <paramref name="text"/>.</summary>
    public static void Matches(Regex regex, ReadOnlySpan<char> text, List<(int Start, int End)> output)
    {
        if (text.IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
        {
            foreach (var m in regex.EnumerateMatches(text))
            {
                if (m.Length > 0)
                {
                    output.Add((m.Index, m.Index + m.Length));
                }
            }
            return;
        }

        // proxyToText[i] is the index in text of proxy char i; one extra entry maps the end.
        char[] proxy = ArrayPool<char>.Shared.Rent(text.Length);
        int[] proxyToText = ArrayPool<int>.Shared.Rent(text.Length + 1);
        try
        {
            int length = 0;
            for (int i = 0; i < text.Length;)
            {
                proxyToText[length] = i;
                if (Rune.DecodeFromUtf16(text[i..], out var rune, out int used) == OperationStatus.Done && used == 2)
                {
                    proxy[length++] = CategoryRepresentative[(int)Rune.GetUnicodeCategory(rune)];
                }
                else
                {
                    proxy[length++] = text[i];
                    used = 1;
                }
                i += used;
            }
            proxyToText[length] = text.Length;
            foreach (var m in regex.EnumerateMatches(proxy.AsSpan(0, length)))
            {
                if (m.Length > 0)
                {
                    output.Add((proxyToText[m.Index], proxyToText[m.Index + m.Length]));
                }
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(proxy);
            ArrayPool<int>.Shared.Return(proxyToText);
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
