// The project's tokenizer: HF tokenizer.json byte-level (or character) BPE, loaded, configured and saved back. Encoding
// and decoding are in BpeTokenizer.Encoding.cs and BpeTokenizer.Decoding.cs.
using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pipeline.Engine.Tokenization;

/// <summary>
/// A BPE tokenizer read from (and written as) HF tokenizers' tokenizer.json: GPT-2, Llama-3 and Qwen2 style byte-level
/// vocabularies, and the character vocabularies of <see cref="CharacterTokenizerBuilder"/>. Thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// Supported: model BPE (merges as "a b" strings or [a, b] pairs, ignore_merges, unk_token); normalizer none, NFC, NFD
/// or a Sequence of them; pre_tokenizer ByteLevel, Split (regex or literal, any behavior) or a Sequence;
/// decoder ByteLevel, Fuse or none; added_tokens with lstrip/rstrip. The post_processor is kept for saving but not
/// applied: encoding never adds BOS/EOS. Added tokens are matched in the raw text before normalization.
/// </para>
/// <para>
/// Through <see cref="Microsoft.ML.Tokenizers.Tokenizer"/>: <c>considerNormalization: false</c> skips the normalizer,
/// <c>considerPreTokenization: false</c> runs BPE over each stretch of text between added tokens as one word.
/// <see cref="Microsoft.ML.Tokenizers.EncodedToken.Value"/> is the token's vocabulary spelling (byte-level tokens in
/// GPT-2's byte alphabet). <see cref="Microsoft.ML.Tokenizers.EncodedToken.Offset"/> is the range of the input the
/// token comes from: the whole character when a byte-level token holds only some of its bytes, the character before
/// which ByteLevel's prefix space stands, the input the normalizer turned into the token's characters. Tokens can
/// therefore share characters, and where canonical ordering moved combining marks they come out of input order;
/// truncating by token count never splits a character between kept and dropped tokens.
/// As offsets index the input, the normalized text is never returned (it is null).
/// <see cref="Microsoft.ML.Tokenizers.Tokenizer.PreTokenizer"/> is null:
/// the pre_tokenizer section runs on normalized text between added tokens, which the library's type cannot express.
/// </para>
/// </remarks>
public sealed partial class BpeTokenizer : ModelTokenizer
{
    private const int WordCacheLimit = 1 << 18;

    // Words longer than this are encoded every time: they rarely repeat (long runs of digits or spaces) and would
    // crowd the cache.
    private const int CachedWordLength = 256;

    private static readonly string[] BosNames = ["<|bos|>", "<s>", "<|begin_of_text|>", "<bos>", "<|startoftext|>"];
    private static readonly string[] EosNames = ["<|eos|>", "</s>", "<|end_of_text|>", "<eos>", "<|endoftext|>"];
    private static readonly string[] PadNames = ["<|pad|>", "<pad>"];

    private readonly TokenizerDefinition definition;
    private readonly BpeModel model;
    private readonly NormalizerSequence? normalizer;
    private readonly PreTokenizer preTokenizer;
    private readonly DecoderKind decoder;
    private readonly AddedTokenSplitter addedTokenSplitter;
    private readonly Dictionary<string, AddedToken> addedByContent;
    private readonly Dictionary<int, AddedToken> addedById;
    private readonly string?[] idToToken;
    // How many units (UTF-8 bytes in byte-level mode, else chars) of a word a token produced by BPE covers, read off
    // its spelling; -1 where the spelling does not tell (the unknown token, tokens outside the byte alphabet).
    private readonly int[] tokenUnits;
    private readonly bool cacheWords;
    private readonly ConcurrentDictionary<string, int[]> wordCache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> wordCacheBySpan;
    private int wordCacheSize;

    internal BpeTokenizer(TokenizerDefinition definition, string? bosToken = null, string? eosToken = null, string? padToken = null)
    {
        this.definition = definition;
        bool[] normalization = TokenizerJson.ParseNormalizer(definition.Normalizer);
        normalizer = normalization.Length > 0 ? new NormalizerSequence(normalization) : null;
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
        tokenUnits = new int[idToToken.Length];
        Array.Fill(tokenUnits, -1);
        foreach (var (token, id) in definition.Vocab)
        {
            if (!byteLevel || token.All(c => ByteLevelAlphabet.CharToByte(c) >= 0))
            {
                tokenUnits[id] = token.Length;
            }
        }
        if (model.UnknownTokenId is int unknown)
        {
            tokenUnits[unknown] = -1;
        }
        // Without merges a word costs one lookup per character, no more than a cache lookup.
        cacheWords = model.HasMerges;
        wordCacheBySpan = wordCache.GetAlternateLookup<ReadOnlySpan<char>>();
        BosId = ResolveRole(bosToken, BosNames);
        EosId = ResolveRole(eosToken, EosNames);
        PadId = ResolveRole(padToken, PadNames);
    }

    /// <inheritdoc />
    public override int VocabularySize => idToToken.Length;

    /// <inheritdoc />
    public override int? BosId { get; }

    /// <inheritdoc />
    public override int? EosId { get; }

    /// <inheritdoc />
    public override int? PadId { get; }

    /// <summary>The normalizer section (NFC, NFD or a sequence of them), or null when the tokenizer has none.</summary>
    public override Microsoft.ML.Tokenizers.Normalizer? Normalizer => normalizer;

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
    /// <exception cref="InvalidDataException">The file is empty, not JSON, or not a tokenizer.json this engine reads; the message names it.</exception>
    public static BpeTokenizer Load(string path)
    {
        TokenizerDefinition definition;
        try
        {
            using var stream = File.OpenRead(path);
            if (stream.Length == 0)
            {
                throw new InvalidDataException($"{path} is empty; expected a tokenizer.json.");
            }

            definition = TokenizerJson.Read(stream);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}).", e);
        }
        catch (Exception e) when (e is FormatException or NotSupportedException)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
        catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException or ArgumentException)
        {
            // A JSON element of another kind, or a section missing: the file is JSON but not a tokenizer.json.
            throw new InvalidDataException($"{path}: not a tokenizer.json this engine reads (expected an object with a BPE 'model' section and its vocabulary).", e);
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
        return CreateByteLevel(vocab, merges, added);
    }

    /// <summary>Writes the tokenizer as an HF tokenizer.json that HF tokenizers and transformers.js load.</summary>
    public override void Save(string path)
    {
        using var stream = File.Create(path);
        TokenizerJson.Write(stream, definition);
    }

    /// <inheritdoc />
    public override int? TokenToId(string token) =>
        addedByContent.TryGetValue(token, out var added) ? added.Id : model.TryGetId(token, out int id) ? id : null;

    /// <inheritdoc />
    public override string? IdToToken(int id) => id >= 0 && id < idToToken.Length ? idToToken[id] : null;

    /// <summary>
    /// A GPT-2 layout tokenizer: ByteLevel pre-tokenizer (GPT-2 pattern, no prefix space), post-processor and decoder.
    /// </summary>
    internal static BpeTokenizer CreateByteLevel(Dictionary<string, int> vocab, IReadOnlyList<(string, string)> merges,
        IReadOnlyList<AddedToken> addedTokens, bool ignoreMerges = false)
    {
        var byteLevel = ByteLevelSection(addPrefixSpace: false, useRegex: true);
        return new BpeTokenizer(new TokenizerDefinition(vocab, merges, null, ignoreMerges, addedTokens, null,
            byteLevel, byteLevel.DeepClone(), byteLevel.DeepClone()));
    }

    /// <summary>The ByteLevel section GPT-2 style vocabularies use as pre-tokenizer, post-processor and decoder.</summary>
    internal static JsonObject ByteLevelSection(bool addPrefixSpace, bool useRegex) => new()
    {
        ["type"] = "ByteLevel",
        ["add_prefix_space"] = addPrefixSpace,
        ["trim_offsets"] = true,
        ["use_regex"] = useRegex,
    };

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
