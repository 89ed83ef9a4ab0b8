// Where each HF-named tensor lives inside the model's one flat parameter array. Tensors used together sit side by side
// (q|k|v weights, q|k|v biases, gate|up weights) so each group is one matrix product.
namespace Pipeline.Engine.Model;

/// <summary>A named view into the flat parameter (and gradient) array.</summary>
/// <param name="Name">HF tensor name, e.g. <c>model.layers.0.mlp.down_proj.weight</c>.</param>
/// <param name="Shape">Dimensions as HF stores them (linear weights are [out, in]).</param>
/// <param name="Offset">First element in the flat array.</param>
/// <param name="Length">Number of elements.</param>
public sealed record ParameterTensor(string Name, int[] Shape, int Offset, int Length)
{
    /// <summary>True for one-dimensional tensors (norm weights, biases), which optimizers often exempt from decay.</summary>
    public bool IsVector => Shape.Length == 1;
}

/// <summary>Offsets of one decoder layer's tensors in the flat array.</summary>
internal readonly record struct LayerOffsets(
    int QkvWeight, int QkvBias, int OutputWeight, int OutputBias, int GateUpWeight, int DownWeight,
    int InputNorm, int PostAttentionNorm);

/// <summary>The flat layout for a config: tensors in order plus the offsets the forward pass needs.</summary>
internal sealed class ParameterLayout
{
    public ParameterLayout(ModelConfig config)
    {
        int c = config.HiddenSize;
        int f = config.IntermediateSize;
        int d = config.HeadDim;
        int qOut = config.NumHeads * d;
        int kvOut = config.NumKeyValueHeads * d;
        var tensors = new List<ParameterTensor>();
        long offset = 0;
        int Add(string name, params int[] shape)
        {
            long length = shape.Aggregate(1L, (a, b) => a * b);
            if (offset + length > Array.MaxLength)
            {
                throw new InvalidDataException("Model too large for one flat float array.");
            }

            tensors.Add(new ParameterTensor(name, shape, (int)offset, (int)length));
            offset += length;
            return (int)(offset - length);
        }

        Embedding = Add("model.embed_tokens.weight", config.VocabSize, c);
        var layers = new LayerOffsets[config.NumLayers];
        for (int l = 0; l < config.NumLayers; l++)
        {
            string p = $"model.layers.{l}.";
            int qkv = Add(p + "self_attn.q_proj.weight", qOut, c);
            Add(p + "self_attn.k_proj.weight", kvOut, c);
            Add(p + "self_attn.v_proj.weight", kvOut, c);
            int qkvBias = -1;
            if (config.HasQkvBias)
            {
                qkvBias = Add(p + "self_attn.q_proj.bias", qOut);
                Add(p + "self_attn.k_proj.bias", kvOut);
                Add(p + "self_attn.v_proj.bias", kvOut);
            }

            int o = Add(p + "self_attn.o_proj.weight", c, qOut);
            int oBias = config.HasOutputBias ? Add(p + "self_attn.o_proj.bias", c) : -1;
            int gateUp = Add(p + "mlp.gate_proj.weight", f, c);
            Add(p + "mlp.up_proj.weight", f, c);
            int down = Add(p + "mlp.down_proj.weight", c, f);
            int norm1 = Add(p + "input_layernorm.weight", c);
            int norm2 = Add(p + "post_attention_layernorm.weight", c);
            layers[l] = new LayerOffsets(qkv, qkvBias, o, oBias, gateUp, down, norm1, norm2);
        }

        FinalNorm = Add("model.norm.weight", c);
        LmHead = config.TieWordEmbeddings ? Embedding : Add("lm_head.weight", config.VocabSize, c);
        Layers = layers;
        Tensors = tensors;
        Count = (int)offset;
    }

    public IReadOnlyList<ParameterTensor> Tensors { get; }

    public int Count { get; }

    public int Embedding { get; }

    public IReadOnlyList<LayerOffsets> Layers { get; }

    public int FinalNorm { get; }

    public int LmHead { get; }
}
