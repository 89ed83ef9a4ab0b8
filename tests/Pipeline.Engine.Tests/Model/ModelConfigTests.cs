using Pipeline.Engine.Model;

using Pipeline.Testing;

namespace Pipeline.Engine.Tests.Model;

public class ModelConfigTests
{
    // Shape of a SmolLM-135M config.json (extra HF fields included, as real files have them).
    private const string SmolLm = """
        {
          "architectures": ["LlamaForCausalLM"], "attention_bias": false, "bos_token_id": 0, "eos_token_id": 0,
          "hidden_act": "silu", "hidden_size": 576, "initializer_range": 0.02, "intermediate_size": 1536,
          "max_position_embeddings": 2048, "model_type": "llama", "num_attention_heads": 9, "num_hidden_layers": 30,
          "num_key_value_heads": 3, "pretraining_tp": 1, "rms_norm_eps": 1e-05, "rope_scaling": null,
          "rope_theta": 10000.0, "tie_word_embeddings": true, "torch_dtype": "bfloat16", "use_cache": true,
          "vocab_size": 49152
        }
        """;

    [Fact]
    public void Parse_HfLlamaConfig_ReadsFieldsAndDerivesHeadDim()
    {
        ModelConfig config = ModelConfig.Parse(SmolLm);
        Assert.Equal(49152, config.VocabSize);
        Assert.Equal(576, config.HiddenSize);
        Assert.Equal(1536, config.IntermediateSize);
        Assert.Equal(30, config.NumLayers);
        Assert.Equal(9, config.NumHeads);
        Assert.Equal(3, config.NumKeyValueHeads);
        Assert.Equal(64, config.HeadDim);
        Assert.Equal(1e-5f, config.RmsNormEps);
        Assert.Equal(10000f, config.RopeTheta);
        Assert.True(config.TieWordEmbeddings);
        Assert.False(config.HasQkvBias);
        Assert.Equal(PositionEncoding.Rope, config.PositionEncoding);
    }

    [Fact]
    public void SaveThenLoad_RoundTripsEveryField()
    {
        ModelConfig config = TestModels.Tiny(tied: false, bias: true, positions: PositionEncoding.None) with { RopeTheta = 500000f };
        using var dir = new TemporaryDirectory();
        config.Save(dir);
        Assert.Equal(config, ModelConfig.Load(dir));
        Assert.Contains("\"num_key_value_heads\": 2", File.ReadAllText(Path.Combine(dir, "config.json")));
    }

    [Fact]
    public void Parse_Qwen2_HasQkvBiasButNoOutputBias()
    {
        string json = SmolLm.Replace("LlamaForCausalLM", "Qwen2ForCausalLM").Replace("\"llama\"", "\"qwen2\"");
        ModelConfig config = ModelConfig.Parse(json);
        Assert.True(config.HasQkvBias);
        Assert.False(config.HasOutputBias);
    }

    [Theory]
    [InlineData("\"LlamaForCausalLM\"", "\"GPT2LMHeadModel\"", "GPT2LMHeadModel")]
    [InlineData("\"silu\"", "\"gelu\"", "gelu")]
    [InlineData("\"rope_scaling\": null", "\"rope_scaling\": {\"type\": \"linear\", \"factor\": 2.0}", "rope_scaling")]
    [InlineData("\"num_key_value_heads\": 3", "\"num_key_value_heads\": 4", "num_key_value_heads")]
    [InlineData("\"use_cache\": true", "\"use_sliding_window\": true", "use_sliding_window")]
    public void Parse_UnsupportedOrInconsistent_FailsNamingTheProblem(string from, string to, string expected)
    {
        var error = Assert.Throws<InvalidDataException>(() => ModelConfig.Parse(SmolLm.Replace(from, to)));
        Assert.Contains(expected, error.Message);
    }
}
