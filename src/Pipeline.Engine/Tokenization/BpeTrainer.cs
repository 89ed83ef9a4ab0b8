// Trains small byte-level BPE vocabularies (GPT-2 layout) from a corpus, for synthetic tasks and tests.
using System.Text;

namespace Pipeline.Engine.Tokenization;

/// <summary>
/// Byte-level BPE training: the corpus is pre-tokenized with GPT-2's pattern, then the most frequent adjacent pair is
/// merged until the vocabulary is full. Ties go to the pair whose tokens sort first (ordinal), so a corpus always
/// gives the same tokenizer.
/// </summary>
public static class BpeTrainer
{
    /// <summary>
    /// Trains a tokenizer whose vocabulary holds the special tokens (ids 0..), the 256 byte tokens, then merges in
    /// order, up to <paramref name="vocabularySize"/> entries. Training stops early when no pair occurs twice.
    /// Special tokens written in the corpus are left out of the counts.
    /// </summary>
    public static BpeTokenizer Train(IEnumerable<string> corpus, int vocabularySize, IEnumerable<string>? specialTokens = null)
    {
        var specials = (specialTokens ?? CharacterTokenizerBuilder.DefaultSpecialTokens).Distinct().ToList();
        if (vocabularySize < specials.Count + 256)
        {
            throw new ArgumentOutOfRangeException(nameof(vocabularySize),
                $"A byte-level vocabulary needs at least {specials.Count + 256} entries (specials plus 256 bytes).");
        }
        var tokens = new List<string>();
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        var added = new List<AddedToken>();
        foreach (string special in specials)
        {
            added.Add(new AddedToken(tokens.Count, special, Special: true));
            vocab[special] = tokens.Count;
            tokens.Add(special);
        }
        for (int b = 0; b < 256; b++)
        {
            string symbol = ByteLevelAlphabet.ByteToChar((byte)b).ToString();
            vocab[symbol] = tokens.Count;
            tokens.Add(symbol);
        }

        var words = CountWords(corpus, added);
        var merges = LearnMerges(words, tokens, vocab, vocabularySize);
        return BpeTokenizer.CreateByteLevel(vocab, merges, added);
    }

    // Words are counted as the tokenizer will see them: specials split out, then GPT-2's pattern.
    private static Dictionary<string, long> CountWords(IEnumerable<string> corpus, List<AddedToken> specials)
    {
        var splitter = new AddedTokenSplitter(specials);
        var preTokenizer = new PreTokenizer([new ByteLevelStep(addPrefixSpace: false, useRegex: true)]);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var segments = new List<AddedTokenSplitter.Segment>();
        var words = new List<Word>();
        foreach (string line in corpus)
        {
            segments.Clear();
            splitter.Split(line, segments);
            foreach (var segment in segments)
            {
                if (segment.Token is not null)
                {
                    continue;
                }
                var text = line.AsSpan(segment.Start, segment.Length);
                words.Clear();
                preTokenizer.Split(text, words);
                foreach (var word in words)
                {
                    string piece = word.ToString(text);
                    counts[piece] = counts.GetValueOrDefault(piece) + 1;
                }
            }
        }
        return counts;
    }

    private static List<(string, string)> LearnMerges(Dictionary<string, long> wordCounts, List<string> tokens,
        Dictionary<string, int> vocab, int vocabularySize)
    {
        // Words as symbol-id lists (initially the byte tokens), with their frequencies.
        var words = new List<List<int>>(wordCounts.Count);
        var frequencies = new List<long>(wordCounts.Count);
        foreach (var (word, count) in wordCounts.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            var symbols = new List<int>();
            foreach (byte b in Encoding.UTF8.GetBytes(word))
            {
                symbols.Add(vocab[ByteLevelAlphabet.ByteToChar(b).ToString()]);
            }
            words.Add(symbols);
            frequencies.Add(count);
        }

        var pairCounts = new Dictionary<(int, int), long>();
        var pairWords = new Dictionary<(int, int), HashSet<int>>();
        for (int w = 0; w < words.Count; w++)
        {
            AddPairs(words[w], frequencies[w], w, pairCounts, pairWords);
        }
        // Highest count first, then the ordinally smallest (left, right) spelling; stale entries are skipped on pop.
        var comparer = Comparer<(long Count, int Left, int Right)>.Create((a, b) =>
        {
            int byCount = b.Count.CompareTo(a.Count);
            if (byCount != 0)
            {
                return byCount;
            }
            int byLeft = string.CompareOrdinal(tokens[a.Left], tokens[b.Left]);
            return byLeft != 0 ? byLeft : string.CompareOrdinal(tokens[a.Right], tokens[b.Right]);
        });
        var queue = new PriorityQueue<(int Left, int Right), (long, int, int)>(comparer);
        foreach (var ((left, right), count) in pairCounts)
        {
            queue.Enqueue((left, right), (count, left, right));
        }

        var merges = new List<(string, string)>();
        var touched = new HashSet<(int, int)>();
        while (tokens.Count < vocabularySize && queue.TryDequeue(out var pair, out var priority))
        {
            long count = pairCounts.GetValueOrDefault(pair);
            if (count != priority.Item1)
            {
                continue;
            }
            if (count < 2)
            {
                break;
            }
            string merged = tokens[pair.Left] + tokens[pair.Right];
            if (!vocab.TryGetValue(merged, out int mergedId))
            {
                mergedId = tokens.Count;
                vocab[merged] = mergedId;
                tokens.Add(merged);
            }
            merges.Add((tokens[pair.Left], tokens[pair.Right]));

            touched.Clear();
            foreach (int w in pairWords[pair].ToArray())
            {
                var symbols = words[w];
                RemovePairs(symbols, frequencies[w], pairCounts, touched);
                ReplacePair(symbols, pair.Left, pair.Right, mergedId);
                AddPairs(symbols, frequencies[w], w, pairCounts, pairWords);
                foreach (var p in PairsOf(symbols))
                {
                    touched.Add(p);
                }
            }
            foreach (var p in touched)
            {
                if (pairCounts.TryGetValue(p, out long c) && c > 0)
                {
                    queue.Enqueue(p, (c, p.Item1, p.Item2));
                }
            }
        }
        return merges;
    }

    private static IEnumerable<(int, int)> PairsOf(List<int> symbols)
    {
        for (int i = 0; i + 1 < symbols.Count; i++)
        {
            yield return (symbols[i], symbols[i + 1]);
        }
    }

    private static void AddPairs(List<int> symbols, long frequency, int word, Dictionary<(int, int), long> pairCounts,
        Dictionary<(int, int), HashSet<int>> pairWords)
    {
        foreach (var p in PairsOf(symbols))
        {
            pairCounts[p] = pairCounts.GetValueOrDefault(p) + frequency;
            if (!pairWords.TryGetValue(p, out var set))
            {
                pairWords[p] = set = [];
            }
            set.Add(word);
        }
    }

    private static void RemovePairs(List<int> symbols, long frequency, Dictionary<(int, int), long> pairCounts,
        HashSet<(int, int)> touched)
    {
        foreach (var p in PairsOf(symbols))
        {
            pairCounts[p] -= frequency;
            touched.Add(p);
        }
    }

    // Left to right, non-overlapping: "a a a" with (a, a) becomes "aa a", as BPE encoding does.
    private static void ReplacePair(List<int> symbols, int left, int right, int merged)
    {
        int write = 0;
        for (int read = 0; read < symbols.Count; read++)
        {
            if (read + 1 < symbols.Count && symbols[read] == left && symbols[read + 1] == right)
            {
                symbols[write++] = merged;
                read++;
            }
            else
            {
                symbols[write++] = symbols[read];
            }
        }
        symbols.RemoveRange(write, symbols.Count - write);
    }
}
