// Maps a character range of the response text (the final answer the task located) to the response tokens that cover it,
// from the decoded text of each token, so it works for any tokenizer whose pieces concatenate to the response text.
namespace Pipeline.Learning.Signals;

/// <summary>From a character span of the response to its token span.</summary>
public static class AnswerSpan
{
    /// <summary>
    /// The range of tokens overlapping <paramref name="characters"/>, where token i's text is
    /// <paramref name="tokenTexts"/>[i] and the texts concatenate to the response. Null when there is no span or it is empty.
    /// </summary>
    public static IndexRange? ToTokenRange(IReadOnlyList<string> tokenTexts, IndexRange? characters)
    {
        if (characters is not { Length: > 0 } chars) return null;
        int first = -1, last = -1, offset = 0;
        for (int i = 0; i < tokenTexts.Count; i++)
        {
            int end = offset + tokenTexts[i].Length;
            if (offset < chars.End && end > chars.Start)
            {
                if (first < 0) first = i;
                last = i;
            }
            offset = end;
        }
        if (chars.End > offset) throw new ArgumentOutOfRangeException(nameof(characters), chars, "The span runs past the response text.");
        return first < 0 ? null : new IndexRange(first, last - first + 1);
    }
}
