// Encoding of BpeTokenizer: added tokens, normalizer, pre-tokenizer and BPE, either into ids (the engine's path, which
// allocates little more than its result) or into tokens with their offsets in the input, and Microsoft.ML.Tokenizers'
// encode, count and truncate entry points over those two.
using System.Text;
using Microsoft.ML.Tokenizers;

namespace Pipeline.Engine.Tokenization;

public sealed partial class BpeTokenizer
{
    // Lists kept per thread between calls; one that grew past this (a very long text) is let go afterwards.
    private const int ScratchCapacityKept = 1 << 16;

    [ThreadStatic] private static EncodeScratch? encodeScratch;

    /// <inheritdoc />
    public override int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var s = encodeScratch ??= new EncodeScratch();
        try
        {
            s.Ids.Clear();
            EncodeIds(text, considerPreTokenization: true, considerNormalization: true, s.Ids, s);
            return s.Ids.ToArray();
        }
        finally
        {
            s.Release();
        }
    }

    /// <summary>Ids of the text; with a maximum token count, as many as <see cref="GetIndexByTokenCount(string?, ReadOnlySpan{char}, EncodeSettings, bool, out string?, out int)"/> keeps.</summary>
    protected override EncodeResults<int> EncodeToIds(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
    {
        var input = text is null ? textSpan : text.AsSpan();
        int limit = MaxTokenCount(settings);
        if (limit < int.MaxValue)
        {
            var tokens = EncodeTokens(input, settings, limit, out int consumed);
            var kept = new int[tokens.Count];
            for (int i = 0; i < kept.Length; i++)
            {
                kept[i] = tokens[i].Id;
            }
            return new EncodeResults<int> { Tokens = kept, CharsConsumed = consumed };
        }
        var s = encodeScratch ??= new EncodeScratch();
        try
        {
            s.Ids.Clear();
            EncodeIds(input, settings.ConsiderPreTokenization, settings.ConsiderNormalization, s.Ids, s);
            return new EncodeResults<int> { Tokens = s.Ids.ToArray(), CharsConsumed = input.Length };
        }
        finally
        {
            s.Release();
        }
    }

    /// <summary>Tokens with their vocabulary spelling and the range of the input each comes from.</summary>
    protected override EncodeResults<EncodedToken> EncodeToTokens(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
    {
        var input = text is null ? textSpan : text.AsSpan();
        var tokens = EncodeTokens(input, settings, MaxTokenCount(settings), out int consumed);
        return new EncodeResults<EncodedToken> { Tokens = tokens, CharsConsumed = consumed };
    }

    /// <summary>The number of ids <see cref="EncodeToIds(string?, ReadOnlySpan{char}, EncodeSettings)"/> gives, without building them.</summary>
    protected override int CountTokens(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
    {
        var input = text is null ? textSpan : text.AsSpan();
        int limit = MaxTokenCount(settings);
        if (limit < int.MaxValue)
        {
            return EncodeTokens(input, settings, limit, out _).Count;
        }
        var s = encodeScratch ??= new EncodeScratch();
        try
        {
            s.Ids.Clear();
            EncodeIds(input, settings.ConsiderPreTokenization, settings.ConsiderNormalization, s.Ids, s);
            return s.Ids.Count;
        }
        finally
        {
            s.Release();
        }
    }

    /// <summary>
    /// Where to cut the input so that at most <see cref="EncodeSettings.MaxTokenCount"/> tokens are kept: from the start
    /// the end of the kept tokens (the input's length when all fit), from the end the start of the kept ones (0 when
    /// all fit). A character is never split between kept and dropped tokens, so fewer tokens may be kept. The index is
    /// into the input, so <paramref name="normalizedText"/> is always null.
    /// </summary>
    protected override int GetIndexByTokenCount(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings, bool fromEnd,
        out string? normalizedText, out int tokenCount)
    {
        normalizedText = null;
        var input = text is null ? textSpan : text.AsSpan();
        int limit = MaxTokenCount(settings);
        if (!fromEnd)
        {
            var kept = EncodeTokens(input, settings, limit, out int consumed);
            tokenCount = kept.Count;
            return consumed;
        }
        var tokens = EncodeTokens(input, settings, int.MaxValue, out _);
        return CutFromEnd(tokens, limit, input.Length, out tokenCount);
    }

    private static int MaxTokenCount(EncodeSettings settings) => settings.MaxTokenCount > 0 ? settings.MaxTokenCount
        : throw new ArgumentOutOfRangeException(nameof(settings), "The maximum number of tokens must be greater than zero.");

    private void EncodeIds(ReadOnlySpan<char> text, bool considerPreTokenization, bool considerNormalization, List<int> ids, EncodeScratch s)
    {
        var segments = s.Segments;
        segments.Clear();
        addedTokenSplitter.Split(text, segments);
        foreach (var segment in segments)
        {
            if (segment.Token is not null)
            {
                ids.Add(segment.Token.Id);
                continue;
            }
            var plain = text.Slice(segment.Start, segment.Length);
            if (considerNormalization && normalizer is not null && normalizer.TryNormalize(plain, out string? normalized))
            {
                plain = normalized;
            }
            if (!considerPreTokenization)
            {
                model.EncodeWord(plain, ids);
                continue;
            }
            var words = s.Words;
            words.Clear();
            preTokenizer.Split(plain, words);
            foreach (var word in words)
            {
                var chars = word.CopyTo(plain, s.WordBuffer(word.TotalLength));
                if (CachedWordIds(chars, s) is { } cached)
                {
                    ids.AddRange(cached);
                }
                else
                {
                    model.EncodeWord(chars, ids);
                }
            }
        }
    }

    // Encodes into tokens with offsets, stopping once more than `limit` tokens are made and the cut is certain.
    // `consumed` is where the kept tokens end in the input (its length when all are kept).
    private List<EncodedToken> EncodeTokens(ReadOnlySpan<char> text, EncodeSettings settings, int limit, out int consumed)
    {
        // About three characters a token in text; a truncation needs little more than its limit.
        var tokens = new List<EncodedToken>(Math.Min(text.Length / 3 + 4, limit < int.MaxValue ? limit + 1 : int.MaxValue));
        var s = encodeScratch ??= new EncodeScratch();
        try
        {
            var segments = s.Segments;
            segments.Clear();
            addedTokenSplitter.Split(text, segments);
            for (int g = 0; g < segments.Count; g++)
            {
                var segment = segments[g];
                int segmentEnd = segment.Start + segment.Length;
                if (segment.Token is not null)
                {
                    tokens.Add(new EncodedToken(segment.Token.Id, segment.Token.Content, new Range(segment.Start, segmentEnd)));
                    if (tokens.Count > limit && TryCut(tokens, limit, segmentEnd, out consumed))
                    {
                        return tokens;
                    }
                    continue;
                }

                var plain = text.Slice(segment.Start, segment.Length);
                var map = new OffsetMap(segment.Start);
                if (settings.ConsiderNormalization && normalizer is not null
                    && normalizer.TryNormalize(plain, out string? normalized, out int[]? starts, out int[]? ends))
                {
                    plain = normalized;
                    map = new OffsetMap(segment.Start, starts, ends);
                }
                var words = s.Words;
                words.Clear();
                if (settings.ConsiderPreTokenization)
                {
                    preTokenizer.Split(plain, words);
                }
                else if (plain.Length > 0)
                {
                    words.Add(new Word(0, plain.Length, false));
                }
                for (int w = 0; w < words.Count; w++)
                {
                    AddWordTokens(plain, words[w], map, tokens, s, cacheable: settings.ConsiderPreTokenization);
                    // Tokens made later start no earlier than the input the rest of this segment comes from.
                    if (tokens.Count > limit
                        && TryCut(tokens, limit, w + 1 < words.Count ? map.LowestStartFrom(words[w + 1].Start) : segmentEnd, out consumed))
                    {
                        return tokens;
                    }
                }
            }
            if (tokens.Count > limit)
            {
                TryCut(tokens, limit, int.MaxValue, out consumed);
            }
            else
            {
                consumed = text.Length;
            }
            return tokens;
        }
        finally
        {
            s.Release();
        }
    }

    // Appends the tokens of one word of `plain` (the normalized text of a segment), each with the input range it covers.
    private void AddWordTokens(ReadOnlySpan<char> plain, Word word, OffsetMap map, List<EncodedToken> tokens, EncodeScratch s, bool cacheable)
    {
        var chars = word.CopyTo(plain, s.WordBuffer(word.TotalLength));
        var ids = s.WordIds;
        var unitStarts = s.UnitStarts;
        ids.Clear();
        unitStarts.Clear();
        bool byteLevel = model.ByteLevel;
        int units = byteLevel ? Encoding.UTF8.GetByteCount(chars) : chars.Length;
        if (!cacheable || !TryCachedTokens(chars, units, ids, unitStarts, s))
        {
            ids.Clear();
            unitStarts.Clear();
            model.EncodeWord(chars, ids, unitStarts);
        }

        // In byte-level mode a token covers bytes [u0, u1): it spans from the character holding byte u0 to the end of
        // the one holding byte u1 - 1. The cursor (c, b) is at character c, whose first byte is b.
        int c = 0, b = 0;
        for (int i = 0; i < ids.Count; i++)
        {
            int u0 = unitStarts[i];
            int u1 = i + 1 < ids.Count ? unitStarts[i + 1] : units;
            int c0, c1;
            if (byteLevel)
            {
                while (b + Utf8Length(chars, c) <= u0)
                {
                    b += Utf8Length(chars, c);
                    c += Utf16Length(chars, c);
                }
                c0 = c;
                int ce = c, be = b;
                while (be + Utf8Length(chars, ce) < u1)
                {
                    be += Utf8Length(chars, ce);
                    ce += Utf16Length(chars, ce);
                }
                c1 = ce + Utf16Length(chars, ce);
            }
            else
            {
                c0 = u0;
                c1 = u1;
            }

            // From the word's characters to the segment's: the prefix space stands for the character after it.
            int t0, t1;
            if (word.PrefixSpace)
            {
                t0 = c0 == 0 ? word.Start : word.Start + c0 - 1;
                t1 = c1 <= 1 ? word.Start + Utf16Length(plain, word.Start) : word.Start + c1 - 1;
            }
            else
            {
                t0 = word.Start + c0;
                t1 = word.Start + c1;
            }
            var (start, end) = map.ToInput(t0, t1);
            tokens.Add(new EncodedToken(ids[i], idToToken[ids[i]]!, new Range(start, end)));
        }
    }

    // The word's ids from the cache and where each starts, read off the tokens' spellings; false when the word is not
    // cached or a spelling does not tell its length (then the caller runs BPE, which reports the starts itself).
    private bool TryCachedTokens(ReadOnlySpan<char> chars, int units, List<int> ids, List<int> unitStarts, EncodeScratch s)
    {
        if (CachedWordIds(chars, s) is not { } cached)
        {
            return false;
        }
        int position = 0;
        foreach (int id in cached)
        {
            int length = tokenUnits[id];
            if (length <= 0)
            {
                return false;
            }
            ids.Add(id);
            unitStarts.Add(position);
            position += length;
        }
        return position == units;
    }

    // The ids of one word from the cache, encoded and cached on a miss; null for words that are not cached.
    private int[]? CachedWordIds(ReadOnlySpan<char> word, EncodeScratch s)
    {
        if (!cacheWords || word.Length > CachedWordLength)
        {
            return null;
        }
        if (wordCacheBySpan.TryGetValue(word, out var cached))
        {
            return cached;
        }
        var fresh = s.Fresh;
        fresh.Clear();
        model.EncodeWord(word, fresh);
        var result = fresh.ToArray();
        // ConcurrentDictionary.Count takes every lock, so the size is tracked separately; the bound is approximate.
        if (Interlocked.Increment(ref wordCacheSize) > WordCacheLimit)
        {
            wordCache.Clear();
            Interlocked.Exchange(ref wordCacheSize, 0);
        }
        wordCacheBySpan.TryAdd(word, result);
        return result;
    }

    // UTF-8 length of the character at i, as Encoding.UTF8 counts it (a lone surrogate becomes U+FFFD, 3 bytes).
    private static int Utf8Length(ReadOnlySpan<char> text, int i)
    {
        char c = text[i];
        if (c < 0x80)
        {
            return 1;
        }
        if (c < 0x800)
        {
            return 2;
        }
        return Utf16Length(text, i) == 2 ? 4 : 3;
    }

    private static int Utf16Length(ReadOnlySpan<char> text, int i) =>
        i + 1 < text.Length && char.IsHighSurrogate(text[i]) && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;

    // Keeps the most tokens, at most `limit`, that share no input character with the tokens after them; `bound` is the
    // lowest start any token not made yet can have. False when that is not yet certain.
    private static bool TryCut(List<EncodedToken> tokens, int limit, int bound, out int consumed)
    {
        int n = tokens.Count;
        var endBefore = new int[limit + 1];
        for (int i = 0; i < limit; i++)
        {
            endBefore[i + 1] = Math.Max(endBefore[i], tokens[i].Offset.End.Value);
        }
        int startAfter = int.MaxValue;
        for (int i = n - 1; i >= limit; i--)
        {
            startAfter = Math.Min(startAfter, tokens[i].Offset.Start.Value);
        }
        for (int k = limit; k >= 0; k--)
        {
            if (k < limit)
            {
                startAfter = Math.Min(startAfter, tokens[k].Offset.Start.Value);
            }
            if (endBefore[k] > startAfter)
            {
                continue;
            }
            if (endBefore[k] > bound)
            {
                consumed = 0;
                return false;
            }
            tokens.RemoveRange(k, n - k);
            consumed = endBefore[k];
            return true;
        }
        throw new InvalidOperationException("Unreachable: keeping no token is always a clean cut.");
    }

    // The fewest leading tokens to drop so that at most `limit` remain and none shares a character with a dropped one.
    private static int CutFromEnd(List<EncodedToken> tokens, int limit, int length, out int tokenCount)
    {
        int n = tokens.Count;
        if (n <= limit)
        {
            tokenCount = n;
            return 0;
        }
        var startFrom = new int[n + 1];
        startFrom[n] = length;
        for (int i = n - 1; i >= 0; i--)
        {
            startFrom[i] = Math.Min(startFrom[i + 1], tokens[i].Offset.Start.Value);
        }
        int endBefore = 0;
        for (int i = 0; i < n - limit; i++)
        {
            endBefore = Math.Max(endBefore, tokens[i].Offset.End.Value);
        }
        for (int first = n - limit; first < n; first++)
        {
            if (endBefore <= startFrom[first])
            {
                tokenCount = n - first;
                return startFrom[first];
            }
            endBefore = Math.Max(endBefore, tokens[first].Offset.End.Value);
        }
        tokenCount = 0;
        return length;
    }

    /// <summary>From a segment's (normalized) characters to input offsets.</summary>
    private readonly struct OffsetMap
    {
        private readonly int offset;
        private readonly int[]? starts;
        private readonly int[]? ends;
        private readonly int[]? lowestStartFrom;

        /// <summary>The segment starts at <paramref name="offset"/> and was not changed by normalization.</summary>
        public OffsetMap(int offset) => this.offset = offset;

        /// <summary>Normalized character j comes from segment characters [starts[j], ends[j]).</summary>
        public OffsetMap(int offset, int[] starts, int[] ends)
        {
            this.offset = offset;
            this.starts = starts;
            this.ends = ends;
            // Canonical reordering can move characters back, so later characters may come from earlier input.
            lowestStartFrom = new int[starts.Length];
            int lowest = int.MaxValue;
            for (int j = starts.Length - 1; j >= 0; j--)
            {
                lowestStartFrom[j] = lowest = Math.Min(lowest, starts[j]);
            }
        }

        public (int Start, int End) ToInput(int start, int end)
        {
            if (starts is null)
            {
                return (offset + start, offset + end);
            }
            int first = int.MaxValue, last = int.MinValue;
            for (int j = start; j < end; j++)
            {
                first = Math.Min(first, starts[j]);
                last = Math.Max(last, ends![j]);
            }
            return (offset + first, offset + last);
        }

        /// <summary>The lowest input offset any character from <paramref name="position"/> on comes from.</summary>
        public int LowestStartFrom(int position) => offset + (lowestStartFrom is null ? position : lowestStartFrom[position]);
    }

    /// <summary>Lists and buffers an encoding reuses on its thread.</summary>
    private sealed class EncodeScratch
    {
        public readonly List<int> Ids = [];
        public readonly List<AddedTokenSplitter.Segment> Segments = [];
        public readonly List<Word> Words = [];
        public readonly List<int> WordIds = [];
        public readonly List<int> UnitStarts = [];
        public readonly List<int> Fresh = [];
        private char[] wordBuffer = new char[64];

        /// <summary>A buffer of at least <paramref name="length"/> chars for a word with its prefix space.</summary>
        public Span<char> WordBuffer(int length)
        {
            if (wordBuffer.Length < length)
            {
                wordBuffer = new char[Math.Max(length, wordBuffer.Length * 2)];
            }
            return wordBuffer;
        }

        /// <summary>Lets go of what a very long text made large, so that a thread does not hold on to it.</summary>
        public void Release()
        {
            Trim(Ids);
            Trim(Segments);
            Trim(Words);
            if (wordBuffer.Length > ScratchCapacityKept)
            {
                wordBuffer = new char[64];
            }
        }

        private static void Trim<T>(List<T> list)
        {
            if (list.Capacity > ScratchCapacityKept)
            {
                list.Clear();
                list.Capacity = 0;
            }
        }
    }
}
