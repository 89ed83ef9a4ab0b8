// Checks batched generation: identical sequences whatever the batch composition or thread count, greedy decoding
// against the full forward pass, stop tokens and the length limit, and the recorded statistics against re-scoring.
using Pipeline.Engine.Kernels;
using Pipeline.Engine.Model;
using Pipeline.Engine.Sampling;
using Pipeline.Engine.Tests.Model;
using Pipeline.Testing;

namespace Pipeline.Engine.Tests.Sampling;

public class GeneratorTests
{
    // Big enough that attention work splits into chunks when threads allow.
    private static readonly ModelConfig Config = ModelConfig.Llama(vocabSize: 40, hiddenSize: 64, intermediateSize: 96,
        numLayers: 2, numHeads: 4, numKeyValueHeads: 2, tieWordEmbeddings: false, attentionBias: true, maxPositionEmbeddings: 128);

    private static readonly LlamaModel Model = RandomModels.Randomised(Config, 21);

    private static int[][] Prompts(int count) =>
        Enumerable.Range(0, count).Select(i => RandomModels.Tokens(3 + (i * 7) % 29, Config.VocabSize, (ulong)(100 + i))).ToArray();

    private static readonly SamplingOptions Sampled = new() { Temperature = 0.9f, TopK = 30, TopP = 0.95f, MaxNewTokens = 24, Seed = 42 };

    [Fact]
    public void Generate_BatchOfSixteenVersusOneAtATime_IsBitwiseIdentical()
    {
        int[][] prompts = Prompts(16);
        var batched = new Generator(Model).Generate(prompts, Sampled, firstSequenceIndex: 1000);

        var single = new Generator(Model);
        for (int i = 0; i < prompts.Length; i++)
        {
            GeneratedSequence alone = Assert.Single(single.Generate([prompts[i]], Sampled, firstSequenceIndex: 1000 + i));
            AssertSame(batched[i], alone);
        }
    }

    [Fact]
    public void Generate_OneThreadVersusTwo_IsBitwiseIdentical()
    {
        int[][] prompts = Prompts(16);
        int gemmThreads = Gemm.MaxThreads;
        IReadOnlyList<GeneratedSequence> one, two;
        try
        {
            Gemm.MaxThreads = 1;
            one = new Generator(Model) { MaxThreads = 1 }.Generate(prompts, Sampled);
            Gemm.MaxThreads = 2;
            two = new Generator(Model) { MaxThreads = 2 }.Generate(prompts, Sampled);
        }
        finally
        {
            Gemm.MaxThreads = gemmThreads;
        }

        for (int i = 0; i < prompts.Length; i++)
        {
            AssertSame(one[i], two[i]);
        }
    }

    [Fact]
    public void Generate_DifferentSequenceIndices_DrawDifferentSequences()
    {
        int[] prompt = Prompts(1)[0];
        var results = new Generator(Model).Generate([prompt, prompt, prompt], Sampled);

        Assert.NotEqual(results[0].Tokens, results[1].Tokens);
        Assert.NotEqual(results[1].Tokens, results[2].Tokens);
    }

    [Fact]
    public void Generate_Greedy_EqualsArgmaxOfFullForward()
    {
        int[][] prompts = Prompts(3);
        var results = new Generator(Model).Generate(prompts, new SamplingOptions { Temperature = 0f, MaxNewTokens = 10 });
        int v = Config.VocabSize;

        for (int i = 0; i < prompts.Length; i++)
        {
            int[] sequence = [.. prompts[i], .. results[i].Tokens];
            float[] logits = Model.Forward(sequence, 1, sequence.Length).ToArray();
            for (int t = 0; t < results[i].Tokens.Length; t++)
            {
                int producer = prompts[i].Length + t - 1;
                Assert.Equal(IndexOfMax(logits.AsSpan(producer * v, v)), results[i].Tokens[t]);
            }
        }
    }

    [Fact]
    public void Generate_TopKOneAtAnyTemperature_EqualsGreedy()
    {
        int[][] prompts = Prompts(4);
        var greedy = new Generator(Model).Generate(prompts, new SamplingOptions { Temperature = 0f, MaxNewTokens = 12 });
        var topOne = new Generator(Model).Generate(prompts, new SamplingOptions { Temperature = 1.7f, TopK = 1, MaxNewTokens = 12, Seed = 9 });

        for (int i = 0; i < prompts.Length; i++)
        {
            Assert.Equal(greedy[i].Tokens, topOne[i].Tokens);
        }
    }

    [Fact]
    public void Generate_StopTokens_EndEachSequenceAtItsFirstStopToken()
    {
        int[] stops = [3, 7, 11, 19];
        var options = new SamplingOptions { Temperature = 1.5f, MaxNewTokens = 40, StopTokens = stops, Seed = 5 };
        var results = new Generator(Model).Generate(Prompts(12), options);

        Assert.Contains(results, r => r.FinishReason == FinishReason.Stop);
        foreach (GeneratedSequence r in results)
        {
            Assert.DoesNotContain(r.Tokens[..^1], t => stops.Contains(t));
            if (r.FinishReason == FinishReason.Stop)
            {
                Assert.Contains(r.Tokens[^1], stops);
            }
            else
            {
                Assert.Equal(40, r.Tokens.Length);
                Assert.DoesNotContain(r.Tokens[^1], stops);
            }
        }
    }

    [Fact]
    public void Generate_NoStopTokens_RunsToTheLengthLimit()
    {
        var results = new Generator(Model).Generate(Prompts(5), Sampled with { MaxNewTokens = 7 });

        Assert.All(results, r =>
        {
            Assert.Equal(FinishReason.Length, r.FinishReason);
            Assert.Equal(7, r.Tokens.Length);
            Assert.Equal(7, r.Statistics.Length);
        });
    }

    [Theory]
    [InlineData(0.5f)]
    [InlineData(1f)]
    [InlineData(2f)]
    public void Generate_RecordedStatistics_MatchTeacherForcedScoringAtTheSamplingTemperatureAndAtOne(float temperature)
    {
        int[][] prompts = Prompts(4);
        var results = new Generator(Model).Generate(prompts, Sampled with { Temperature = temperature });

        for (int i = 0; i < prompts.Length; i++)
        {
            ScoredResponse scored = ResponseScorer.Score(Model, prompts[i], results[i].Tokens, temperature);
            ScoredResponse atOne = ResponseScorer.Score(Model, prompts[i], results[i].Tokens, 1f);
            for (int t = 0; t < results[i].Tokens.Length; t++)
            {
                TokenStatistics expected = scored.Tokens[t], actual = results[i].Statistics[t];
                Assert.Equal(atOne.Tokens[t].LogProb, results[i].PolicyLogProbs[t], 1e-4f);
                Assert.Equal(expected.LogProb, actual.LogProb, 1e-4f);
                Assert.Equal(expected.Entropy, actual.Entropy, 1e-4f);
                Assert.Equal(expected.SelfCertainty, actual.SelfCertainty, 1e-4f);
            }
        }
    }

    [Fact]
    public void Generate_LowerTemperature_SharpensTheRecordedDistributions()
    {
        int[][] prompts = Prompts(6);
        double MeanEntropy(float temperature) => new Generator(Model)
            .Generate(prompts, Sampled with { Temperature = temperature, TopK = 0, TopP = 1f })
            .SelectMany(r => r.Statistics).Average(s => s.Entropy);

        Assert.True(MeanEntropy(0.5f) < MeanEntropy(1f));
        Assert.True(MeanEntropy(1f) < MeanEntropy(2f));
    }

    [Fact]
    public void Generate_EmptyPromptOrTooLong_Throws()
    {
        var generator = new Generator(Model);

        Assert.Throws<ArgumentException>(() => generator.Generate([[]], Sampled));
        Assert.Throws<ArgumentOutOfRangeException>(() => generator.Generate([new int[120]], Sampled));
        Assert.Throws<ArgumentOutOfRangeException>(() => generator.Generate([[Config.VocabSize]], Sampled));
    }

    [Fact]
    public void Generate_PromptAndNewTokensFillingTheContext_Succeeds()
    {
        // 100 + 29 tokens: the last new token is never fed back, so 128 positions suffice.
        GeneratedSequence result = Assert.Single(new Generator(Model).Generate([new int[100]], Sampled with { MaxNewTokens = 29 }));

        Assert.Equal(29, result.Tokens.Length);
    }

    private static void AssertSame(GeneratedSequence expected, GeneratedSequence actual)
    {
        Assert.Equal(expected.SequenceIndex, actual.SequenceIndex);
        Assert.Equal(expected.Tokens, actual.Tokens);
        Assert.Equal(expected.Statistics, actual.Statistics);
        Assert.Equal(expected.FinishReason, actual.FinishReason);
    }

    private static int IndexOfMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int i = 1; i < row.Length; i++)
        {
            if (row[i] > row[best])
            {
                best = i;
            }
        }

        return best;
    }
}
