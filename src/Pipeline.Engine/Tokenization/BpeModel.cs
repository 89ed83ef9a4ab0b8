// The BPE model proper: vocabulary, merge ranks, and the merge loop that turns one pre-tokenized word into ids.
using System.Buffers;
using System.Text;

namespace Pipeline.Engine.Tokenization;

/// <summary>
/// Byte-pair encoding over one word. In byte-level mode a word's UTF-8 bytes are the initial symbols (spelled with
/// <see cref="ByteLevelAlphabet"/>); otherwise its Unicode characters are. Merges apply lowest rank first, leftmost
/// first among equal ranks, which is HF tokenizers' order.
/// </summary>
internal sealed class BpeModel
{
    private readonly Dictionary<string, int> vocab;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> vocabBySpan;
    private readonly Dictionary<long, (int Rank, int MergedId)> merges;
    private readonly int[] byteIds;
    private readonly int? unkId;

    [ThreadStatic] private static MergeScratch? scratch;

    public BpeModel(Dictionary<string, int> vocab, IReadOnlyList<(string Left, string Right)> mergeList, bool byteLevel,
        bool ignoreMerges, string? unkToken)
    {
        this.vocab = vocab;
        vocabBySpan = vocab.GetAlternateLookup<ReadOnlySpan<char>>();
        ByteLevel = byteLevel;
        IgnoreMerges = ignoreMerges;
        if (unkToken is not null)
        {
            unkId = vocab.TryGetValue(unkToken, out int id) ? id
                : throw new FormatException($"The unknown token '{unkToken}' is not in the vocabulary.");
        }
        merges = new Dictionary<long, (int, int)>(mergeList.Count);
        for (int rank = 0; rank < mergeList.Count; rank++)
        {
            var (left, right) = mergeList[rank];
            if (!vocab.TryGetValue(left, out int leftId) || !vocab.TryGetValue(right, out int rightId)
                || !vocab.TryGetValue(left + right, out int mergedId))
            {
                throw new FormatException($"Merge {rank} ('{left}' '{right}') uses a token that is not in the vocabulary.");
            }
            // A repeated pair keeps its first (lowest) rank.
            merges.TryAdd(PairKey(leftId, rightId), (rank, mergedId));
        }
        byteIds = new int[256];
        for (int b = 0; b < 256; b++)
        {
            byteIds[b] = vocab.TryGetValue(ByteLevelAlphabet.ByteToChar((byte)b).ToString(), out int id) ? id : -1;
        }
    }

    public bool ByteLevel { get; }

    public bool IgnoreMerges { get; }

    public bool TryGetId(ReadOnlySpan<char> token, out int id) => vocabBySpan.TryGetValue(token, out id);

    /// <summary>The id of the unknown token, when the vocabulary has one.</summary>
    public int? UnknownTokenId => unkId;

    /// <summary>True when the vocabulary has merges; without them encoding a word is a lookup per symbol.</summary>
    public bool HasMerges => merges.Count > 0;

    /// <summary>
    /// Appends the ids of one pre-tokenized word (original text, not yet byte-mapped). With <paramref name="unitStarts"/>,
    /// also appends where each token starts in the word: a UTF-8 byte offset in byte-level mode, else a char offset.
    /// </summary>
    public void EncodeWord(ReadOnlySpan<char> word, List<int> output, List<int>? unitStarts = null)
    {
        var s = scratch ??= new MergeScratch();
        s.Ids.Clear();
        s.Starts.Clear();
        if (ByteLevel)
        {
            int byteCount = Encoding.UTF8.GetByteCount(word);
            byte[] bytes = ArrayPool<byte>.Shared.Rent(byteCount);
            try
            {
                Encoding.UTF8.GetBytes(word, bytes);
                if (IgnoreMerges && TryWholeWord(bytes.AsSpan(0, byteCount), output))
                {
                    unitStarts?.Add(0);
                    return;
                }
                for (int i = 0; i < byteCount; i++)
                {
                    int id = byteIds[bytes[i]];
                    s.Ids.Add(id >= 0 ? id : UnknownId(ByteLevelAlphabet.ByteToChar(bytes[i]).ToString()));
                    s.Starts.Add(i);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(bytes);
            }
        }
        else
        {
            if (IgnoreMerges && vocabBySpan.TryGetValue(word, out int wholeId))
            {
                output.Add(wholeId);
                unitStarts?.Add(0);
                return;
            }
            for (int i = 0; i < word.Length;)
            {
                int length = char.IsHighSurrogate(word[i]) && i + 1 < word.Length && char.IsLowSurrogate(word[i + 1]) ? 2 : 1;
                var symbol = word.Slice(i, length);
                s.Ids.Add(vocabBySpan.TryGetValue(symbol, out int id) ? id : UnknownId(symbol.ToString()));
                s.Starts.Add(i);
                i += length;
            }
        }
        Merge(s);
        for (int i = 0; i < s.Ids.Count; i++)
        {
            if (s.Ids[i] >= 0)
            {
                output.Add(s.Ids[i]);
                unitStarts?.Add(s.Starts[i]);
            }
        }
    }

    private bool TryWholeWord(ReadOnlySpan<byte> bytes, List<int> output)
    {
        Span<char> chars = bytes.Length <= 256 ? stackalloc char[bytes.Length] : new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++)
        {
            chars[i] = ByteLevelAlphabet.ByteToChar(bytes[i]);
        }
        if (vocabBySpan.TryGetValue(chars, out int id))
        {
            output.Add(id);
            return true;
        }
        return false;
    }

    private int UnknownId(string symbol) => unkId ?? throw new ArgumentException(
        $"'{symbol}' (U+{char.ConvertToUtf32(symbol, 0):X4}) is not in the vocabulary and the tokenizer has no unknown token.");

    // Merges in place, leaving merged-away symbols as -1. Candidate pairs wait in a heap ordered by (rank, left
    // position), so a word of n symbols costs O(n log n) even for long runs of digits or spaces; an entry is stale
    // when either of its symbols has changed since it was queued.
    private void Merge(MergeScratch s)
    {
        var ids = s.Ids;
        int n = ids.Count;
        if (n < 2)
        {
            return;
        }
        var next = s.Next;
        var prev = s.Prev;
        next.Clear();
        prev.Clear();
        for (int i = 0; i < n; i++)
        {
            next.Add(i + 1 < n ? i + 1 : -1);
            prev.Add(i - 1);
        }
        var queue = s.Queue;
        queue.Clear();
        for (int i = 0; i + 1 < n; i++)
        {
            Enqueue(queue, ids, i, i + 1);
        }
        while (queue.TryDequeue(out var pair, out _))
        {
            if (ids[pair.Left] != pair.LeftId || ids[pair.Right] != pair.RightId || next[pair.Left] != pair.Right)
            {
                continue;
            }
            int left = pair.Left;
            ids[left] = pair.MergedId;
            ids[pair.Right] = -1;
            int after = next[pair.Right];
            next[left] = after;
            if (after >= 0)
            {
                prev[after] = left;
                Enqueue(queue, ids, left, after);
            }
            if (prev[left] >= 0)
            {
                Enqueue(queue, ids, prev[left], left);
            }
        }
    }

    private void Enqueue(PriorityQueue<PendingMerge, long> queue, List<int> ids, int left, int right)
    {
        if (merges.TryGetValue(PairKey(ids[left], ids[right]), out var merge))
        {
            queue.Enqueue(new PendingMerge(left, right, ids[left], ids[right], merge.MergedId), ((long)merge.Rank << 32) | (uint)left);
        }
    }

    // Multiplying by an odd constant keeps keys unique and spreads them: long's own hash (low ^ high half) would give
    // left ^ right, which collides heavily for token ids.
    private static long PairKey(int left, int right) => unchecked((((long)left << 32) | (uint)right) * -7046029254386353131L);

    private readonly record struct PendingMerge(int Left, int Right, int LeftId, int RightId, int MergedId);

    private sealed class MergeScratch
    {
        public readonly List<int> Ids = [];
        public readonly List<int> Starts = [];
        public readonly List<int> Next = [];
        public readonly List<int> Prev = [];
        public readonly PriorityQueue<PendingMerge, long> Queue = new();
    }
}
