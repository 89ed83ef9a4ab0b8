// Finds added (special and user) tokens written literally in text before any other processing, as HF tokenizers do.
using System.Buffers;

namespace Pipeline.Engine.Tokenization;

/// <summary>An entry of tokenizer.json's added_tokens section.</summary>
internal sealed record AddedToken(int Id, string Content, bool Special, bool LeftStrip = false, bool RightStrip = false,
    bool Normalized = false, bool SingleWord = false);

/// <summary>Splits text into plain segments and added-token occurrences, taking the longest token at the leftmost position.</summary>
internal sealed class AddedTokenSplitter
{
    private readonly Dictionary<char, AddedToken[]> byFirstChar;
    private readonly SearchValues<char> firstChars;

    public AddedTokenSplitter(IEnumerable<AddedToken> tokens)
    {
        byFirstChar = tokens.Where(t => t.Content.Length > 0)
            .GroupBy(t => t.Content[0])
            .ToDictionary(g => g.Key, g => g.OrderByDescending(t => t.Content.Length).ToArray());
        firstChars = SearchValues.Create(byFirstChar.Keys.ToArray());
    }

    /// <summary>A piece of the input: plain text (Token is null) or one added token with the whitespace it strips.</summary>
    public readonly record struct Segment(int Start, int Length, AddedToken? Token);

    /// <summary>Appends the segments of <paramref name="text"/>, which cover it without gaps, in order.</summary>
    public void Split(ReadOnlySpan<char> text, List<Segment> output)
    {
        int plainStart = 0;
        int i = 0;
        while (i < text.Length)
        {
            int found = text[i..].IndexOfAny(firstChars);
            if (found < 0)
            {
                break;
            }
            i += found;
            var token = LongestAt(text, i);
            if (token is null)
            {
                i++;
                continue;
            }
            int start = i;
            int end = i + token.Content.Length;
            if (token.LeftStrip)
            {
                while (start > plainStart && char.IsWhiteSpace(text[start - 1]))
                {
                    start--;
                }
            }
            if (token.RightStrip)
            {
                while (end < text.Length && char.IsWhiteSpace(text[end]))
                {
                    end++;
                }
            }
            if (start > plainStart)
            {
                output.Add(new Segment(plainStart, start - plainStart, null));
            }
            output.Add(new Segment(start, end - start, token));
            plainStart = i = end;
        }
        if (plainStart < text.Length)
        {
            output.Add(new Segment(plainStart, text.Length - plainStart, null));
        }
    }

    private AddedToken? LongestAt(ReadOnlySpan<char> text, int position)
    {
        foreach (var token in byFirstChar[text[position]])
        {
            if (text[position..].StartsWith(token.Content, StringComparison.Ordinal))
            {
                return token;
            }
        }
        return null;
    }
}
