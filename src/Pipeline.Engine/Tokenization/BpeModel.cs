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
        UnkToken = unkToken;
        if (unkToken is not null)
        {
            unkId = vocab.TryGetValue(unkToken, out int id) ? id
                : throw new FormatException($"The unknown token '{unkToken}' is not in the vocabulary.");
        }
        MergeList = mergeList;
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

    public string? UnkToken { get; }

    public IReadOnlyDictionary<string, int> Vocab => vocab;

    public IReadOnlyList<(string Left, string Right)> MergeList { get; }

    public bool TryGetId(ReadOnlySpan<char> token, out int id) => vocabBySpan.TryGetValue(token, out id);

    /// <summary>Appends the ids of one pre-tokenized word (original text, not yet byte-mapped).</summary>
    public void EncodeWord(string word, List<int> output)
    {
        var s = scratch ??= new MergeScratch();
        s.Ids.Clear();
        if (ByteLevel)
        {
            int byteCount = Encoding.UTF8.GetByteCount(word);
            byte[] bytes = ArrayPool<byte>.Shared.Rent(byteCount);
            try
            {
                Encoding.UTF8.GetBytes(word, bytes);
                if (IgnoreMerges && TryWholeWord(bytes.AsSpan(0, byteCount), output))
                {
                    return;
                }
                for (int i = 0; i < byteCount; i++)
                {
                    int id = byteIds[bytes[i]];
                    s.Ids.Add(id >= 0 ? id : UnknownId(ByteLevelAlphabet.ByteToChar(bytes[i]).ToString()));
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(bytes);
            }
        }
        else
        {
            if (IgnoreMerges && vocab.TryGetValue(word, out int wholeId))
            {
                output.Add(wholeId);
                return;
            }
            for (int i = 0; i < word.Length;)
            {
                int length = char.IsHighSurrogate(word[i]) && i + 1 < word.Length && char.IsLowSurrogate(word[i + 1]) ? 2 : 1;
                var symbol = word.AsSpan(i, length);
                s.Ids.Add(vocabBySpan.TryGetValue(symbol, out int id) ? id : UnknownId(symbol.ToString()));
                i += length;
            }
        }
        Merge(s);
        output.AddRange(s.Ids);
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

    // Merges in place. ranks[i] caches the rank of the pair (i, i+1), so each step is one scan for the smallest rank
    // (the leftmost on ties) and two dictionary look-ups: O(n^2) integer compares, which is fast for words of any
    // realistic length (a run of 10,000 digits or spaces takes milliseconds).
    private void Merge(MergeScratch s)
    {
        var ids = s.Ids;
        int n = ids.Count;
        if (n < 2)
        {
            return;
        }
        var ranks = s.Ranks;
        var mergedIds = s.MergedIds;
        ranks.Clear();
        mergedIds.Clear();
        for (int i = 0; i + 1 < n; i++)
        {
            var (rank, merged) = Lookup(ids[i], ids[i + 1]);
            ranks.Add(rank);
            mergedIds.Add(merged);
        }
        while (n > 1)
        {
            int best = -1;
            int bestRank = int.MaxValue;
            for (int i = 0; i + 1 < n; i++)
            {
                if (ranks[i] < bestRank)
                {
                    bestRank = ranks[i];
                    best = i;
                }
            }
            if (best < 0)
            {
                break;
            }
            ids[best] = mergedIds[best];
            ids.RemoveAt(best + 1);
            ranks.RemoveAt(best);
            mergedIds.RemoveAt(best);
            n--;
            if (best + 1 < n)
            {
                (ranks[best], mergedIds[best]) = Lookup(ids[best], ids[best + 1]);
            }
            if (best > 0)
            {
                (ranks[best - 1], mergedIds[best - 1]) = Lookup(ids[best - 1], ids[best]);
            }
        }
    }

    private (int Rank, int MergedId) Lookup(int left, int right) =>
        merges.TryGetValue(PairKey(left, right), out var merge) ? merge : (int.MaxValue, -1);

    // Multiplying by an odd constant keeps keys unique and spreads them: long's own hash (low ^ high half) would give
    // left ^ right, which collides heavily for token ids.
    private static long PairKey(int left, int right) => unchecked((((long)left << 32) | (uint)right) * -7046029254386353131L);

    private sealed class MergeScratch
    {
        public readonly List<int> Ids = [];
        public readonly List<int> Ranks = [];
        public readonly List<int> MergedIds = [];
    }
}
