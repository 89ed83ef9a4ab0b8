// The project's tokenizer: HF tokenizer.json byte-level (or character) BPE, loaded, applied, and saved back.
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pipeline.Engine.Tokenization;

/// <summary>
/// A BPE tokenizer read from (and written as) HF tokenizers' tokenizer.json: GPT-2, Llama-3 and Qwen2 style byte-level
/// vocabularies, and the character vocabularies of <see cref="CharacterTokenizerBuilder"/>. Thread-safe.
/// </summary>
/// <remarks>
/// Supported: model BPE (merges as "a b" strings or [a, b] pairs, ignore_merges, unk_token); normalizer none, NFC, NFD
/// or a Sequence of them; pre_tokenizer ByteLevel, Split (regex or literal, any behavior) or a Sequence;
/// decoder ByteLevel, Fuse or none; added_tokens with lstrip/rstrip. The post_processor is kept for saving but not
/// applied: <see cref="Encode"/> never adds BOS/EOS. Added tokens are matched in the raw text before normalization.
/// </remarks>
public sealed class BpeTokenizer : ITokenizer
{
    private const int WordCacheLimit = 1 << 18;

    private static readonly string[] BosNames = ["<|bos|>", "<s>", "<|begin_of_text|>", "<bos>", "<|startoftext|>"];
    private static readonly string[] EosNames = ["<|eos|>", "</s>", "<|end_of_text|>", "<eos>", "<|endoftext|>"];
    private static readonly string[] PadNames = ["<|pad|>", "<pad>"];

    private readonly TokenizerDefinition definition;
    private readonly BpeModel model;
    private readonly bool[] normalization;
    private readonly PreTokenizer preTokenizer;
    private readonly DecoderKind decoder;
    private readonly AddedTokenSplitter addedTokenSplitter;
    private readonly Dictionary<string, AddedToken> addedByContent;
    private readonly Dictionary<int, AddedToken> addedById;
    private readonly string?[] idToToken;
    private readonly ConcurrentDictionary<string, int[]> wordCache = new(StringComparer.Ordinal);

    internal BpeTokenizer(TokenizerDefinition definition, string? bosToken = null, string? eosToken = null, string? padToken = null)
    {
        this.definition = definition;
        normalization = TokenizerJson.ParseNormalizer(definition.Normalizer);
        preTokenizer = TokenizerJson.ParsePreTokenizer(definition.PreTokenizer);
        decoder = TokenizerJson.ParseDecoder(definition.Decoder);
        bool byteLevel = preTokenizer.IsByteLevel || decoder == DecoderKind.ByteLevel;
        model = new BpeModel(definition.Vocab, definition.Merges, byteLevel, definition.IgnoreMerges, definition.UnkToken);
        addedTokenSplitter = new AddedTokenSplitter(definition.AddedTokens);
        addedByContent = definition.AddedTokens.ToDictionary(t => t.Content);
        addedById = definition.AddedTokens.ToDictionary(t => t.Id);

        int maxId = Math.Max(definition.Vocab.Count == 0 ? -1 : definition.Vocab.Values.Max(),
            definition.AddedTokens.Count == 0 ? -1 : definition.AddedTokens.Max(t => t.Id));
        idToToken = new string?[maxId + 1];
        foreach (var (token, id) in definition.Vocab)
        {
            idToToken[id] = token;
        }
        foreach (var t in definition.AddedTokens)
        {
            idToToken[t.Id] = t.Content;
        }
        BosId = ResolveRole(bosToken, BosNames);
        EosId = ResolveRole(eosToken, EosNames);
        PadId = ResolveRole(padToken, PadNames);
    }

    /// <inheritdoc />
    public int VocabularySize => idToToken.Length;

    /// <inheritdoc />
    public int? BosId { get; }

    /// <inheritdoc />
    public int? EosId { get; }

    /// <inheritdoc />
    public int? PadId { get; }

    /// <summary>True when words are encoded as UTF-8 bytes (GPT-2 style); false for character vocabularies.</summary>
    public bool IsByteLevel => model.ByteLevel;

    /// <summary>The added tokens flagged special, in id order.</summary>
    public IReadOnlyList<string> SpecialTokens =>
        definition.AddedTokens.Where(t => t.Special).OrderBy(t => t.Id).Select(t => t.Content).ToArray();

    /// <summary>
    /// Loads a tokenizer.json. BOS/EOS/PAD come from a tokenizer_config.json beside it when present, else from the
    /// conventional spellings (&lt;|bos|&gt;, &lt;s&gt;, &lt;|begin_of_text|&gt;, &lt;|eos|&gt;, &lt;/s&gt;,
    /// &lt;|endoftext|&gt;, &lt;|pad|&gt;, ...).
    /// </summary>
    public static BpeTokenizer Load(string path)
    {
        TokenizerDefinition definition;
        using (var stream = File.OpenRead(path))
        {
            definition = TokenizerJson.Read(stream);
        }
        string configPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "tokenizer_config.json");
        if (!File.Exists(configPath))
        {
            return new BpeTokenizer(definition);
        }
        using var config = JsonDocument.Parse(File.ReadAllText(configPath));
        return new BpeTokenizer(definition, ConfigToken(config.RootElement, "bos_token"),
            ConfigToken(config.RootElement, "eos_token"), ConfigToken(config.RootElement, "pad_token"));
    }

    /// <summary>
    /// Builds GPT-2's tokenizer from OpenAI's encoder.json (token → id) and vocab.bpe (merges, one "a b" per line), as
    /// HF's GPT-2 tokenizer.json does: ByteLevel pre-tokenizer and decoder, &lt;|endoftext|&gt; as a special token.
    /// </summary>
    public static BpeTokenizer FromGpt2Files(string encoderJsonPath, string vocabBpePath)
    {
        var vocab = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(encoderJsonPath))
            ?? throw new FormatException($"{encoderJsonPath} is not a JSON object of token ids.");
        var merges = new List<(string, string)>();
        foreach (string line in File.ReadLines(vocabBpePath))
        {
            if (line.Length == 0 || line.StartsWith("#version", StringComparison.Ordinal))
            {
                continue;
            }
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            merges.Add((line[..space], line[(space + 1)..]));
        }
        const string endOfText = "<|endoftext|>";
        var added = vocab.TryGetValue(endOfText, out int endId) ? new[] { new AddedToken(endId, endOfText, Special: true) } : [];
        var byteLevel = ByteLevelSection(addPrefixSpace: false, useRegex: true);
        return new BpeTokenizer(new TokenizerDefinition(vocab, merges, null, false, added, null,
            byteLevel, byteLevel.DeepClone(), byteLevel.DeepClone()));
    }

    /// <summary>Writes the tokenizer as an HF tokenizer.json that HF tokenizers and transformers.js load.</summary>
    public void Save(string path)
    {
        using var stream = File.Create(path);
        TokenizerJson.Write(stream, definition);
    }

    /// <inheritdoc />
    public int[] Encode(string text)
    {
        var ids = new List<int>(text.Length / 3 + 4);
        var segments = new List<AddedTokenSplitter.Segment>();
        addedTokenSplitter.Split(text, segments);
        var words = new List<string>();
        foreach (var segment in segments)
        {
            if (segment.Token is not null)
            {
                ids.Add(segment.Token.Id);
                continue;
            }
            string plain = segment.Text!;
            foreach (bool compose in normalization)
            {
                plain = UnicodeNormalizer.Normalize(plain, compose);
            }
            words.Clear();
            preTokenizer.Split(plain, words);
            foreach (string word in words)
            {
                ids.AddRange(EncodeWord(word));
            }
        }
        return ids.ToArray();
    }

    /// <inheritdoc />
    public string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens = false)
    {
        var text = new StringBuilder();
        var bytes = new List<byte>();
        bool first = true;
        foreach (int id in ids)
        {
            string token = IdToToken(id) ?? throw new ArgumentOutOfRangeException(nameof(ids), $"Id {id} is not in the vocabulary.");
            if (addedById.TryGetValue(id, out var added))
            {
                if (skipSpecialTokens && added.Special)
                {
                    continue;
                }
                FlushBytes(bytes, text);
                AppendToken(text, added.Content, ref first);
                continue;
            }
            if (decoder == DecoderKind.ByteLevel)
            {
                AppendByteLevel(token, bytes);
            }
            else
            {
                AppendToken(text, token, ref first);
            }
        }
        FlushBytes(bytes, text);
        return text.ToString();
    }

    /// <inheritdoc />
    public int? TokenToId(string token) =>
        addedByContent.TryGetValue(token, out var added) ? added.Id : model.TryGetId(token, out int id) ? id : null;

    /// <inheritdoc />
    public string? IdToToken(int id) => id >= 0 && id < idToToken.Length ? idToToken[id] : null;

    /// <summary>The ByteLevel section GPT-2 style vocabularies use as pre-tokenizer, post-processor and decoder.</summary>
    internal static JsonObject ByteLevelSection(bool addPrefixSpace, bool useRegex) => new()
    {
        ["type"] = "ByteLevel",
        ["add_prefix_space"] = addPrefixSpace,
        ["trim_offsets"] = true,
        ["use_regex"] = useRegex,
    };

    private int[] EncodeWord(string word)
    {
        if (wordCache.TryGetValue(word, out var cached))
        {
            return cached;
        }
        var ids = new List<int>(word.Length);
        model.EncodeWord(word, ids);
        var result = ids.ToArray();
        if (wordCache.Count >= WordCacheLimit)
        {
            wordCache.Clear();
        }
        wordCache.TryAdd(word, result);
        return result;
    }

    private void AppendToken(StringBuilder text, string token, ref bool first)
    {
        if (decoder == DecoderKind.JoinWithSpaces && !first)
        {
            text.Append(' ');
        }
        text.Append(token);
        first = false;
    }

    private static void AppendByteLevel(string token, List<byte> bytes)
    {
        Span<byte> utf8 = stackalloc byte[4];
        foreach (char c in token)
        {
            int b = ByteLevelAlphabet.CharToByte(c);
            if (b >= 0)
            {
                bytes.Add((byte)b);
            }
            else
            {
                // Not from the byte alphabet (a hand-written vocabulary entry): keep the character itself.
                int n = Encoding.UTF8.GetBytes([c], utf8);
                foreach (byte x in utf8[..n])
                {
                    bytes.Add(x);
                }
            }
        }
    }

    // Invalid UTF-8 becomes U+FFFD per maximal invalid subsequence, as Rust's from_utf8_lossy (HF) does.
    private static void FlushBytes(List<byte> bytes, StringBuilder text)
    {
        if (bytes.Count > 0)
        {
            text.Append(Encoding.UTF8.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes)));
            bytes.Clear();
        }
    }

    private int? ResolveRole(string? configured, string[] conventionalNames)
    {
        if (configured is not null)
        {
            return TokenToId(configured);
        }
        foreach (string name in conventionalNames)
        {
            if (addedByContent.TryGetValue(name, out var token))
            {
                return token.Id;
            }
        }
        return null;
    }

    private static string? ConfigToken(JsonElement config, string name)
    {
        if (!config.TryGetProperty(name, out var value))
        {
            return null;
        }
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Object when value.TryGetProperty("content", out var content) => content.GetString(),
            _ => null,
        };
    }
}
