// Checks the key/value-cache decoder against LlamaModel.Forward (prefill and one-token steps, every architecture option)
// and that a row's result does not depend on how prompt rows are split into passes or which slots share a pass.
using Pipeline.Engine.Inference;
using Pipeline.Engine.Model;
using Pipeline.Engine.Tests.Model;
using Pipeline.Testing;

namespace Pipeline.Engine.Tests.Inference;

public class KvCacheDecoderTests
{
    public static TheoryData<string> Variants => ["llama-bias-gqa", "llama-tied", "llama-no-position", "qwen2"];

    private static ModelConfig Config(string variant) => variant switch
    {
        "llama-bias-gqa" => TestModels.Tiny(),
        "llama-tied" => TestModels.Tiny(tied: true, bias: false),
        "llama-no-position" => TestModels.Tiny(positions: PositionEncoding.None),
        "qwen2" => TestModels.Tiny(tied: true, architecture: "Qwen2ForCausalLM"),
        _ => throw new ArgumentException(variant),
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void Run_PrefillThenSingleSteps_MatchesFullForward(string variant)
    {
        ModelConfig config = Config(variant);
        LlamaModel model = RandomModels.Randomised(config, 11);
        int[] tokens = RandomModels.Tokens(12, config.VocabSize, 5);
        float[] expected = model.Forward(tokens, 1, tokens.Length).ToArray();
        var decoder = new KvCacheDecoder(model, slots: 2, maxLength: 16, maxRows: 8, maxOutputs: 8);
        int v = config.VocabSize;
        const int prompt = 5;

        // Prefill into slot 1 asking for every row's logits, then one token per pass.
        decoder.Run(Enumerable.Repeat(1, prompt).ToArray(), Enumerable.Range(0, prompt).ToArray(), tokens[..prompt],
            Enumerable.Range(0, prompt).ToArray());
        for (int t = 0; t < prompt; t++)
        {
            AssertClose(expected.AsSpan(t * v, v), decoder.Logits(t));
        }

        for (int t = prompt; t < tokens.Length; t++)
        {
            decoder.Run([1], [t], [tokens[t]], [0]);
            AssertClose(expected.AsSpan(t * v, v), decoder.Logits(0));
        }
    }

    [Fact]
    public void Run_PromptSplitAcrossPassesAndMixedWithOtherSlots_IsBitwiseIdentical()
    {
        ModelConfig config = TestModels.Tiny();
        LlamaModel model = RandomModels.Randomised(config, 3);
        int[] a = RandomModels.Tokens(9, config.VocabSize, 1);
        int[] b = RandomModels.Tokens(4, config.VocabSize, 2);

        var alone = new KvCacheDecoder(model, slots: 1, maxLength: 16, maxRows: 16);
        alone.Run(new int[9], Enumerable.Range(0, 9).ToArray(), a, [8]);
        float[] expected = alone.Logits(0).ToArray();

        // Slot 2 holds the same prompt, split 4 + 5 over two passes, the first shared with another prompt.
        var shared = new KvCacheDecoder(model, slots: 3, maxLength: 16, maxRows: 8);
        shared.Run([0, 0, 0, 0, 2, 2, 2, 2], [0, 1, 2, 3, 0, 1, 2, 3], [.. b, .. a[..4]], [3]);
        shared.Run([2, 2, 2, 2, 2], [4, 5, 6, 7, 8], a[4..], [4]);

        Assert.Equal(expected, shared.Logits(0).ToArray());
    }

    [Fact]
    public void Run_PositionBeyondCache_Throws()
    {
        LlamaModel model = RandomModels.Randomised(TestModels.Tiny(), 3);
        var decoder = new KvCacheDecoder(model, slots: 1, maxLength: 4, maxRows: 4);

        Assert.Throws<ArgumentOutOfRangeException>(() => decoder.Run([0], [4], [1], [0]));
    }

    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f * Math.Max(1f, Math.Abs(expected[i])),
                $"logit {i}: forward {expected[i]}, decoder {actual[i]}");
        }
    }
}
