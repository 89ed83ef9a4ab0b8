// Reading and writing HF tokenizers' tokenizer.json (BPE model) and interpreting its pipeline sections.
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pipeline.Engine.Tokenization;

/// <summary>How ids are turned back into text (tokenizer.json's decoder section).</summary>
internal enum DecoderKind
{
    /// <summary>No decoder: HF joins the tokens with spaces.</summary>
    JoinWithSpaces,
    /// <summary>Fuse: tokens are concatenated.</summary>
    Fuse,
    /// <summary>ByteLevel: tokens are concatenated and read as UTF-8 through the byte alphabet.</summary>
    ByteLevel,
}

/// <summary>
/// Everything a tokenizer.json holds that this project uses. The pipeline sections stay as JSON so that saving writes
/// back exactly what was loaded (including a post_processor we do not apply).
/// </summary>
internal sealed record TokenizerDefinition(
    Dictionary<string, int> Vocab,
    IReadOnlyList<(string Left, string Right)> Merges,
    string? UnkToken,
    bool IgnoreMerges,
    IReadOnlyList<AddedToken> AddedTokens,
    JsonNode? Normalizer,
    JsonNode? PreTokenizer,
    JsonNode? PostProcessor,
    JsonNode? Decoder);

internal static class TokenizerJson
{
    public static TokenizerDefinition Read(Stream stream)
    {
        using var document = JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 256 });
        var root = document.RootElement;
        var model = root.GetProperty("model");
        string type = model.TryGetProperty("type", out var typeElement) ? typeElement.GetString() ?? "BPE" : "BPE";
        if (type != "BPE")
        {
            throw new NotSupportedException($"Tokenizer model type '{type}' is not supported; only BPE is.");
        }
        RejectUnsupported(model);

        var vocabElement = model.GetProperty("vocab");
        var vocab = new Dictionary<string, int>();
        foreach (var entry in vocabElement.EnumerateObject())
        {
            vocab[entry.Name] = entry.Value.GetInt32();
        }
        var merges = new List<(string, string)>();
        if (model.TryGetProperty("merges", out var mergesElement))
        {
            foreach (var merge in mergesElement.EnumerateArray())
            {
                merges.Add(ReadMerge(merge));
            }
        }
        var addedTokens = new List<AddedToken>();
        if (root.TryGetProperty("added_tokens", out var addedElement) && addedElement.ValueKind == JsonValueKind.Array)
        {
            foreach (var t in addedElement.EnumerateArray())
            {
                addedTokens.Add(new AddedToken(
                    t.GetProperty("id").GetInt32(),
                    t.GetProperty("content").GetString()!,
                    Flag(t, "special"), Flag(t, "lstrip"), Flag(t, "rstrip"), Flag(t, "normalized"), Flag(t, "single_word")));
            }
        }
        return new TokenizerDefinition(
            vocab,
            merges,
            OptionalString(model, "unk_token"),
            Flag(model, "ignore_merges"),
            addedTokens,
            Section(root, "normalizer"),
            Section(root, "pre_tokenizer"),
            Section(root, "post_processor"),
            Section(root, "decoder"));
    }

    public static void Write(Stream stream, TokenizerDefinition definition)
    {
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions
        {
            Indented = true,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        });
        writer.WriteStartObject();
        writer.WriteString("version", "1.0");
        writer.WriteNull("truncation");
        writer.WriteNull("padding");
        writer.WriteStartArray("added_tokens");
        foreach (var t in definition.AddedTokens.OrderBy(t => t.Id))
        {
            writer.WriteStartObject();
            writer.WriteNumber("id", t.Id);
            writer.WriteString("content", t.Content);
            writer.WriteBoolean("single_word", t.SingleWord);
            writer.WriteBoolean("lstrip", t.LeftStrip);
            writer.WriteBoolean("rstrip", t.RightStrip);
            writer.WriteBoolean("normalized", t.Normalized);
            writer.WriteBoolean("special", t.Special);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        WriteSection(writer, "normalizer", definition.Normalizer);
        WriteSection(writer, "pre_tokenizer", definition.PreTokenizer);
        WriteSection(writer, "post_processor", definition.PostProcessor);
        WriteSection(writer, "decoder", definition.Decoder);

        writer.WriteStartObject("model");
        writer.WriteString("type", "BPE");
        writer.WriteNull("dropout");
        if (definition.UnkToken is null)
        {
            writer.WriteNull("unk_token");
        }
        else
        {
            writer.WriteString("unk_token", definition.UnkToken);
        }
        writer.WriteNull("continuing_subword_prefix");
        writer.WriteNull("end_of_word_suffix");
        writer.WriteBoolean("fuse_unk", false);
        writer.WriteBoolean("byte_fallback", false);
        // Older HF readers do not know ignore_merges, so it is only written when it matters.
        if (definition.IgnoreMerges)
        {
            writer.WriteBoolean("ignore_merges", true);
        }
        writer.WriteStartObject("vocab");
        foreach (var (token, id) in definition.Vocab.OrderBy(e => e.Value))
        {
            writer.WriteNumber(token, id);
        }
        writer.WriteEndObject();
        // "a b" strings are what every HF version reads; pairs only when a token itself holds a space.
        bool asPairs = definition.Merges.Any(m => m.Left.Contains(' ') || m.Right.Contains(' '));
        writer.WriteStartArray("merges");
        foreach (var (left, right) in definition.Merges)
        {
            if (asPairs)
            {
                writer.WriteStartArray();
                writer.WriteStringValue(left);
                writer.WriteStringValue(right);
                writer.WriteEndArray();
            }
            else
            {
                writer.WriteStringValue(left + " " + right);
            }
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>
    /// The normalizations of a normalizer section in order: null, NFC, NFD, or a Sequence of those; true means NFC.
    /// </summary>
    public static bool[] ParseNormalizer(JsonNode? node)
    {
        if (node is null)
        {
            return [];
        }
        string type = TypeOf(node);
        return type switch
        {
            "NFC" => [true],
            "NFD" => [false],
            "Sequence" => node["normalizers"]!.AsArray().SelectMany(n => ParseNormalizer(n)).ToArray(),
            _ => throw new NotSupportedException($"Normalizer '{type}' is not supported."),
        };
    }

    public static PreTokenizer ParsePreTokenizer(JsonNode? node) => new(node is null ? [] : ParsePreTokenizerSteps(node));

    public static DecoderKind ParseDecoder(JsonNode? node)
    {
        if (node is null)
        {
            return DecoderKind.JoinWithSpaces;
        }
        string type = TypeOf(node);
        return type switch
        {
            "ByteLevel" => DecoderKind.ByteLevel,
            "Fuse" => DecoderKind.Fuse,
            _ => throw new NotSupportedException($"Decoder '{type}' is not supported."),
        };
    }

    private static IEnumerable<PreTokenizerStep> ParsePreTokenizerSteps(JsonNode node)
    {
        string type = TypeOf(node);
        switch (type)
        {
            case "Sequence":
                return node["pretokenizers"]!.AsArray().SelectMany(n => ParsePreTokenizerSteps(n!)).ToList();
            case "ByteLevel":
                return [new ByteLevelStep(
                    node["add_prefix_space"]?.GetValue<bool>() ?? true,
                    node["use_regex"]?.GetValue<bool>() ?? true)];
            case "Split":
                var pattern = node["pattern"]!;
                string regex = pattern["Regex"]?.GetValue<string>()
                    ?? System.Text.RegularExpressions.Regex.Escape(pattern["String"]!.GetValue<string>());
                var behavior = Enum.Parse<SplitBehavior>(node["behavior"]!.GetValue<string>());
                return [new RegexSplitStep(regex, behavior, node["invert"]?.GetValue<bool>() ?? false)];
            default:
                throw new NotSupportedException($"Pre-tokenizer '{type}' is not supported.");
        }
    }

    private static void RejectUnsupported(JsonElement model)
    {
        foreach (string affix in new[] { "continuing_subword_prefix", "end_of_word_suffix" })
        {
            if (!string.IsNullOrEmpty(OptionalString(model, affix)))
            {
                throw new NotSupportedException($"BPE {affix} is not supported.");
            }
        }
        if (Flag(model, "byte_fallback"))
        {
            throw new NotSupportedException("BPE byte_fallback is not supported.");
        }
        if (model.TryGetProperty("dropout", out var dropout) && dropout.ValueKind == JsonValueKind.Number && dropout.GetDouble() > 0)
        {
            throw new NotSupportedException("BPE dropout is not supported.");
        }
    }

    private static (string, string) ReadMerge(JsonElement merge)
    {
        if (merge.ValueKind == JsonValueKind.Array)
        {
            return (merge[0].GetString()!, merge[1].GetString()!);
        }
        string text = merge.GetString()!;
        int space = text.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0 || text.IndexOf(' ', space + 1) >= 0)
        {
            throw new FormatException($"Merge '{text}' is not two tokens separated by one space.");
        }
        return (text[..space], text[(space + 1)..]);
    }

    private static string TypeOf(JsonNode node) =>
        node["type"]?.GetValue<string>() ?? throw new FormatException("A tokenizer.json section has no type.");

    private static bool Flag(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;

    private static string? OptionalString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static JsonNode? Section(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? JsonNode.Parse(value.GetRawText()) : null;

    private static void WriteSection(Utf8JsonWriter writer, string name, JsonNode? node)
    {
        writer.WritePropertyName(name);
        if (node is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            node.WriteTo(writer);
        }
    }
}
