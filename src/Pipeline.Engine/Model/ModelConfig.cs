// The shape of a decoder-only Llama-style model, read from and written to a Hugging Face config.json.
// Field names follow HF so an HF Llama / Qwen2 / SmolLM folder loads as it is and our folders load in HF tools.
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pipeline.Engine.Model;

/// <summary>How token positions enter the model.</summary>
public enum PositionEncoding
{
    /// <summary>Rotary position embeddings on queries and keys (HF "rotate_half" convention).</summary>
    Rope,

    /// <summary>No positional signal at all: only the causal mask orders tokens.</summary>
    None,
}

/// <summary>Hyper-parameters of a Llama-style causal language model, named as in HF <c>config.json</c>.</summary>
public sealed record ModelConfig
{
    /// <summary>Architectures this engine computes exactly; anything else is rejected when loading.</summary>
    private static readonly string[] SupportedArchitectures = ["LlamaForCausalLM", "Qwen2ForCausalLM"];

    /// <summary>HF architecture name: <c>LlamaForCausalLM</c> or <c>Qwen2ForCausalLM</c>.</summary>
    public string Architecture { get; init; } = "LlamaForCausalLM";

    /// <summary>Vocabulary size V (<c>vocab_size</c>).</summary>
    public int VocabSize { get; init; }

    /// <summary>Residual width C (<c>hidden_size</c>).</summary>
    public int HiddenSize { get; init; }

    /// <summary>Feed-forward width F (<c>intermediate_size</c>).</summary>
    public int IntermediateSize { get; init; }

    /// <summary>Number of decoder layers (<c>num_hidden_layers</c>).</summary>
    public int NumLayers { get; init; }

    /// <summary>Query heads H (<c>num_attention_heads</c>).</summary>
    public int NumHeads { get; init; }

    /// <summary>Key/value heads Hkv (<c>num_key_value_heads</c>); H must be a multiple of it.</summary>
    public int NumKeyValueHeads { get; init; }

    /// <summary>Head size D (<c>head_dim</c> when given, else C / H).</summary>
    public int HeadDim { get; init; }

    /// <summary>Epsilon inside the RMSNorm square root (<c>rms_norm_eps</c>).</summary>
    public float RmsNormEps { get; init; } = 1e-5f;

    /// <summary>Rotary base θ (<c>rope_theta</c>).</summary>
    public float RopeTheta { get; init; } = 10000f;

    /// <summary>Longest sequence the model is meant for (<c>max_position_embeddings</c>).</summary>
    public int MaxPositionEmbeddings { get; init; } = 2048;

    /// <summary>LM head shares the token embedding matrix (<c>tie_word_embeddings</c>).</summary>
    public bool TieWordEmbeddings { get; init; }

    /// <summary>
    /// Llama's <c>attention_bias</c>: biases on q, k, v and o projections. Qwen2 always has q/k/v biases and no o bias,
    /// whatever this says; see <see cref="HasQkvBias"/> and <see cref="HasOutputBias"/>.
    /// </summary>
    public bool AttentionBias { get; init; }

    /// <summary>Rotary or none (non-HF field <c>position_embedding</c>: "rope" or "none"; absent means rope).</summary>
    public PositionEncoding PositionEncoding { get; init; } = PositionEncoding.Rope;

    /// <summary>Whether q/k/v projections carry biases.</summary>
    public bool HasQkvBias => Architecture == "Qwen2ForCausalLM" || AttentionBias;

    /// <summary>Whether the attention output projection carries a bias (Llama with attention_bias only).</summary>
    public bool HasOutputBias => Architecture == "LlamaForCausalLM" && AttentionBias;

    /// <summary>Width of the fused q|k|v projection: (H + 2·Hkv)·D.</summary>
    public int QkvSize => (NumHeads + 2 * NumKeyValueHeads) * HeadDim;

    /// <summary>Builds a Llama config with D = C / H.</summary>
    public static ModelConfig Llama(int vocabSize, int hiddenSize, int intermediateSize, int numLayers, int numHeads,
        int numKeyValueHeads, bool tieWordEmbeddings = true, bool attentionBias = false, int maxPositionEmbeddings = 2048,
        float ropeTheta = 10000f, float rmsNormEps = 1e-5f, PositionEncoding positionEncoding = PositionEncoding.Rope)
    {
        var config = new ModelConfig
        {
            VocabSize = vocabSize,
            HiddenSize = hiddenSize,
            IntermediateSize = intermediateSize,
            NumLayers = numLayers,
            NumHeads = numHeads,
            NumKeyValueHeads = numKeyValueHeads,
            HeadDim = numHeads > 0 ? hiddenSize / numHeads : 0,
            TieWordEmbeddings = tieWordEmbeddings,
            AttentionBias = attentionBias,
            MaxPositionEmbeddings = maxPositionEmbeddings,
            RopeTheta = ropeTheta,
            RmsNormEps = rmsNormEps,
            PositionEncoding = positionEncoding,
        };
        config.Validate();
        return config;
    }

    /// <summary>Throws <see cref="InvalidDataException"/> when sizes are missing or inconsistent.</summary>
    public void Validate()
    {
        if (Array.IndexOf(SupportedArchitectures, Architecture) < 0)
        {
            throw new InvalidDataException(
                $"Unsupported architecture '{Architecture}': this engine computes {string.Join(", ", SupportedArchitectures)}.");
        }

        Require(VocabSize > 0, "vocab_size must be positive");
        Require(HiddenSize > 0, "hidden_size must be positive");
        Require(IntermediateSize > 0, "intermediate_size must be positive");
        Require(NumLayers > 0, "num_hidden_layers must be positive");
        Require(NumHeads > 0, "num_attention_heads must be positive");
        Require(NumKeyValueHeads > 0 && NumHeads % NumKeyValueHeads == 0,
            "num_key_value_heads must be positive and divide num_attention_heads");
        Require(HeadDim > 0, "head_dim must be positive");
        Require(PositionEncoding == PositionEncoding.None || HeadDim % 2 == 0, "rotary embeddings need an even head_dim");
        Require(RmsNormEps > 0, "rms_norm_eps must be positive");
        Require(RopeTheta > 0, "rope_theta must be positive");
        Require(MaxPositionEmbeddings > 0, "max_position_embeddings must be positive");
    }

    /// <summary>Reads an HF <c>config.json</c> (a file, or a folder holding one).</summary>
    public static ModelConfig Load(string path)
    {
        if (Directory.Exists(path))
        {
            path = Path.Combine(path, "config.json");
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} does not exist.", path);
        }

        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses the text of an HF <c>config.json</c>; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">
    /// The text is not JSON, a key has the wrong type, a size is missing or inconsistent, or a feature is unsupported;
    /// the message starts with <paramref name="source"/> and names the key.
    /// </exception>
    public static ModelConfig Parse(string json, string source = "config.json")
    {
        JsonNode? parsed;
        try
        {
            parsed = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}).", e);
        }

        JsonObject root = parsed as JsonObject
            ?? throw new InvalidDataException($"{source}: expected a JSON object.");
        try
        {
            return FromJson(root, source);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            // JsonValue.GetValue of a value of another kind (a string where a number goes): say which key.
            throw new InvalidDataException($"{source}: {TypeFault(root)}", e);
        }
    }

    /// <summary>The first key whose value has the wrong JSON kind, as a sentence (the caller knows one has).</summary>
    private static string TypeFault(JsonObject root)
    {
        string[] integers = ["vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
            "num_key_value_heads", "head_dim", "max_position_embeddings"];
        string[] numbers = ["rms_norm_eps", "rope_theta"];
        string[] flags = ["tie_word_embeddings", "attention_bias", "use_sliding_window", "mlp_bias"];
        string[] texts = ["hidden_act", "model_type", "position_embedding"];
        foreach (string key in integers)
        {
            if (root[key] is { } node && !(node is JsonValue value && value.TryGetValue(out int _)))
            {
                return $"'{key}' must be a whole number, got {node.ToJsonString()}.";
            }
        }

        foreach (string key in numbers)
        {
            if (root[key] is { } node && node.GetValueKind() != JsonValueKind.Number)
            {
                return $"'{key}' must be a number, got {node.ToJsonString()}.";
            }
        }

        foreach (string key in flags)
        {
            if (root[key] is { } node && node.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
            {
                return $"'{key}' must be true or false, got {node.ToJsonString()}.";
            }
        }

        foreach (string key in texts)
        {
            if (root[key] is { } node && node.GetValueKind() != JsonValueKind.String)
            {
                return $"'{key}' must be a string, got {node.ToJsonString()}.";
            }
        }

        return root["architectures"] is JsonArray { Count: > 0 } archs && archs[0]?.GetValueKind() != JsonValueKind.String
            ? $"'architectures' must list strings, got {archs.ToJsonString()}."
            : "a key has a value of the wrong kind.";
    }

    private static ModelConfig FromJson(JsonObject root, string source)
    {

        string architecture = root["architectures"] is JsonArray { Count: > 0 } archs
            ? archs[0]!.GetValue<string>()
            : root["model_type"]?.GetValue<string>() switch
            {
                "llama" => "LlamaForCausalLM",
                "qwen2" => "Qwen2ForCausalLM",
                var other => throw new InvalidDataException($"{source}: no 'architectures' and unknown model_type '{other}'."),
            };

        string act = root["hidden_act"]?.GetValue<string>() ?? "silu";
        if (act != "silu")
        {
            throw new InvalidDataException($"{source}: hidden_act '{act}' is not supported (only silu).");
        }

        if (root["rope_scaling"] is JsonObject)
        {
            throw new InvalidDataException($"{source}: rope_scaling is not supported.");
        }

        if (root["use_sliding_window"]?.GetValue<bool>() == true)
        {
            throw new InvalidDataException($"{source}: use_sliding_window is not supported (full causal attention only).");
        }

        if (root["mlp_bias"]?.GetValue<bool>() == true)
        {
            throw new InvalidDataException($"{source}: mlp_bias is not supported.");
        }

        int hidden = Int(root, "hidden_size", source);
        int heads = Int(root, "num_attention_heads", source);
        string positions = root["position_embedding"]?.GetValue<string>() ?? "rope";
        var config = new ModelConfig
        {
            Architecture = architecture,
            VocabSize = Int(root, "vocab_size", source),
            HiddenSize = hidden,
            IntermediateSize = Int(root, "intermediate_size", source),
            NumLayers = Int(root, "num_hidden_layers", source),
            NumHeads = heads,
            NumKeyValueHeads = root["num_key_value_heads"] is { } kv ? kv.GetValue<int>() : heads,
            HeadDim = root["head_dim"] is { } hd ? hd.GetValue<int>() : hidden / Math.Max(heads, 1),
            RmsNormEps = root["rms_norm_eps"]?.GetValue<float>() ?? 1e-6f,
            RopeTheta = root["rope_theta"]?.GetValue<float>() ?? 10000f,
            MaxPositionEmbeddings = root["max_position_embeddings"]?.GetValue<int>() ?? 2048,
            TieWordEmbeddings = root["tie_word_embeddings"]?.GetValue<bool>() ?? false,
            AttentionBias = root["attention_bias"]?.GetValue<bool>() ?? false,
            PositionEncoding = positions switch
            {
                "rope" => PositionEncoding.Rope,
                "none" => PositionEncoding.None,
                _ => throw new InvalidDataException($"{source}: position_embedding '{positions}' is neither 'rope' nor 'none'."),
            },
        };
        try
        {
            config.Validate();
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{source}: {e.Message}", e);
        }

        return config;
    }

    /// <summary>Writes this config as an HF <c>config.json</c> (a file path, or a folder to write it into).</summary>
    public void Save(string path)
    {
        if (Directory.Exists(path))
        {
            path = Path.Combine(path, "config.json");
        }

        File.WriteAllText(path, ToJson());
    }

    /// <summary>The HF <c>config.json</c> text for this config.</summary>
    public string ToJson()
    {
        var root = new JsonObject
        {
            ["architectures"] = new JsonArray(Architecture),
            ["model_type"] = Architecture == "Qwen2ForCausalLM" ? "qwen2" : "llama",
            ["hidden_act"] = "silu",
            ["vocab_size"] = VocabSize,
            ["hidden_size"] = HiddenSize,
            ["intermediate_size"] = IntermediateSize,
            ["num_hidden_layers"] = NumLayers,
            ["num_attention_heads"] = NumHeads,
            ["num_key_value_heads"] = NumKeyValueHeads,
            ["head_dim"] = HeadDim,
            ["rms_norm_eps"] = RmsNormEps,
            ["rope_theta"] = RopeTheta,
            ["max_position_embeddings"] = MaxPositionEmbeddings,
            ["tie_word_embeddings"] = TieWordEmbeddings,
            ["attention_bias"] = AttentionBias,
            ["torch_dtype"] = "float32",
        };
        if (PositionEncoding == PositionEncoding.None)
        {
            root["position_embedding"] = "none";
        }

        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static int Int(JsonObject root, string name, string source) =>
        root[name]?.GetValue<int>() ?? throw new InvalidDataException($"{source}: missing '{name}'.");

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidDataException($"Invalid model config: {message}.");
        }
    }
}
