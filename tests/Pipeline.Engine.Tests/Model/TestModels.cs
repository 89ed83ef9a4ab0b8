// The tiny config of the model tests (their randomised weights and tokens come from Pipeline.Testing.RandomModels).
using Pipeline.Engine.Model;

namespace Pipeline.Engine.Tests.Model;

internal static class TestModels
{
    public static ModelConfig Tiny(bool tied = false, bool bias = true, PositionEncoding positions = PositionEncoding.Rope,
        string architecture = "LlamaForCausalLM") =>
        ModelConfig.Llama(vocabSize: 23, hiddenSize: 16, intermediateSize: 24, numLayers: 2, numHeads: 4, numKeyValueHeads: 2,
            tieWordEmbeddings: tied, attentionBias: bias, maxPositionEmbeddings: 32, positionEncoding: positions)
        with { Architecture = architecture };
}
