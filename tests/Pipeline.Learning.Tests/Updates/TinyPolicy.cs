// A tiny character-level model and helpers shared by the update tests: small enough that an update takes milliseconds.
using Pipeline.Engine.Model;
using Pipeline.Engine.Tokenization;
using Pipeline.Engine.Training;
using Pipeline.Learning.Updates;

namespace Pipeline.Learning.Tests.Updates;

internal static class TinyPolicy
{
    public static ModelTokenizer Tokenizer { get; } = CharacterTokenizerBuilder.Build("0123456789+-=;# \nabcdefgh");

    public static ModelConfig Config { get; } = ModelConfig.Llama(Tokenizer.VocabularySize, hiddenSize: 32, intermediateSize: 64,
        numLayers: 2, numHeads: 4, numKeyValueHeads: 2, maxPositionEmbeddings: 64);

    public static LlamaModel Create(ulong seed = 7) => LlamaModel.Create(Config, seed);

    public static TrainingOptions Options(float rate = 1e-2f, float weightDecay = 0f, int microBatch = 8) =>
        new(new LearningRateSchedule(rate, WarmupSteps: 0, TotalSteps: 100))
        {
            Optimizer = new AdamWOptions { WeightDecay = weightDecay },
            MicroBatchSize = microBatch,
        };

    public static PromptResponse Pair(string prompt, string response) =>
        new(Tokenizer.Encode(prompt), Tokenizer.Encode(response));

    /// <summary>Σ log p(response | prompt) per sequence under <paramref name="model"/>.</summary>
    public static double[] SumLogProbs(LlamaModel model, IReadOnlyList<PromptResponse> sequences) =>
        TeacherForcedScores.LogProbs(model, sequences).Select(l => l.Sum(v => (double)v)).ToArray();

    /// <summary>Mean NLL per response token of <paramref name="sequences"/>.</summary>
    public static double MeanNll(LlamaModel model, IReadOnlyList<PromptResponse> sequences) =>
        -SumLogProbs(model, sequences).Sum() / sequences.Sum(s => s.Response.Length);

    public static float[] Snapshot(LlamaModel model) => model.Parameters.ToArray();

    public static bool SameBits(ReadOnlySpan<float> a, ReadOnlySpan<float> b) =>
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(a).SequenceEqual(System.Runtime.InteropServices.MemoryMarshal.AsBytes(b));
}
