// The libtorch generator's own guarantees: a sequence does not depend on the prompts it is batched with or on how the
// call is split into batches, stop tokens end a sequence (and are kept), and over-long requests are refused.
using Pipeline.Backends.Torch.Policies;
using Pipeline.Engine.Sampling;

namespace Pipeline.Backends.Torch.Tests;

public sealed class GeneratorTests(CheckpointFixture checkpoints) : IClassFixture<CheckpointFixture>
{
    private static readonly int[][] Prompts = [[1, 2, 3], [4, 5, 6, 7, 8, 9, 10], [11], [12, 13, 14, 15], [3, 3]];

    [Fact]
    public void Generate_PromptAloneOrInABatch_SameSequence()
    {
        using TorchPolicy policy = TorchPolicy.Load(checkpoints.Folder("llama"), TestModels.Cpu);
        var options = new SamplingOptions { Temperature = 1.1f, TopK = 9, MaxNewTokens = 16, Seed = 5 };

        var together = policy.Generate(Prompts, options, firstSequenceIndex: 100);
        for (int i = 0; i < Prompts.Length; i++)
        {
            var alone = policy.Generate([Prompts[i]], options, firstSequenceIndex: 100 + i)[0];
            Assert.Equal(together[i].SequenceIndex, alone.SequenceIndex);
            Assert.Equal(together[i].Tokens, alone.Tokens);
        }
    }

    [Fact]
    public void Generate_SplitIntoSmallBatches_SameSequences()
    {
        var options = new SamplingOptions { Temperature = 0.9f, TopP = 0.9f, MaxNewTokens = 12, Seed = 8 };
        using TorchPolicy policy = TorchPolicy.Load(checkpoints.Folder("qwen2"), TestModels.Cpu);

        var expected = policy.Generate(Prompts, options);
        var actual = policy.Generate(Prompts, options with { MaxBatchSize = 2 });

        Assert.Equal(expected.Select(s => s.Tokens), actual.Select(s => s.Tokens));
        Assert.Equal(Enumerable.Range(0, Prompts.Length).Select(i => (long)i), actual.Select(s => s.SequenceIndex));
    }

    [Fact]
    public void Generate_StopToken_EndsTheSequenceAndIsKept()
    {
        using TorchPolicy policy = TorchPolicy.Load(checkpoints.Folder("llama"), TestModels.Cpu);
        var free = policy.Generate([Prompts[1]], new SamplingOptions { Temperature = 0f, MaxNewTokens = 10 })[0];
        int stop = free.Tokens[3];
        int firstStop = Array.IndexOf(free.Tokens, stop);

        var stopped = policy.Generate([Prompts[1]], new SamplingOptions { Temperature = 0f, MaxNewTokens = 10, StopTokens = [stop] })[0];

        Assert.Equal(FinishReason.Length, free.FinishReason);
        Assert.Equal(FinishReason.Stop, stopped.FinishReason);
        Assert.Equal(free.Tokens[..(firstStop + 1)], stopped.Tokens);
        Assert.Equal(stopped.Tokens.Length, stopped.Statistics.Length);
    }

    [Fact]
    public void Generate_MostSequencesStopEarly_CompactedBatchMatchesManaged()
    {
        // Stop on the tokens most sequences produce early, so the batch shrinks (compaction) while some rows go on.
        string folder = checkpoints.Folder("qwen2");
        using TorchPolicy policy = TorchPolicy.Load(folder, TestModels.Cpu);
        int[][] prompts = Enumerable.Range(0, 12).Select(i => new[] { i % 29, (3 * i + 1) % 29, (7 * i + 2) % 29 }).ToArray();
        var free = policy.Generate(prompts, new SamplingOptions { Temperature = 1f, MaxNewTokens = 20, Seed = 4 });
        int[] stops = free.SelectMany(s => s.Tokens.Take(2)).GroupBy(t => t).OrderByDescending(g => g.Count()).Take(3).Select(g => g.Key).ToArray();
        var options = new SamplingOptions { Temperature = 1f, MaxNewTokens = 20, Seed = 4, StopTokens = stops };

        var actual = policy.Generate(prompts, options);
        var expected = new Pipeline.Engine.Sampling.Generator(Pipeline.Engine.Model.LlamaModel.Load(folder)).Generate(prompts, options);

        Assert.True(actual.Count(s => s.Tokens.Length <= 3) >= 6, "most sequences should stop within three tokens");
        Assert.Contains(actual, s => s.Tokens.Length > 6);
        Assert.Equal(expected.Select(s => s.Tokens), actual.Select(s => s.Tokens));
        Assert.Equal(expected.Select(s => s.FinishReason), actual.Select(s => s.FinishReason));
    }

    [Fact]
    public void Generate_BeyondMaxPositions_ThrowsArgumentException()
    {
        using TorchPolicy policy = TorchPolicy.Load(checkpoints.Folder("llama"), TestModels.Cpu);
        int[] prompt = Enumerable.Range(0, 40).Select(i => i % 20).ToArray();

        Assert.Throws<ArgumentException>(() => policy.Generate([prompt], new SamplingOptions { MaxNewTokens = 10 }));
        Assert.Throws<ArgumentException>(() => policy.Generate([[]], new SamplingOptions()));
        Assert.Throws<ArgumentOutOfRangeException>(() => policy.Generate([[1, 99]], new SamplingOptions()));
    }
}
