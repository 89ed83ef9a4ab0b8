using Pipeline.Engine.Model;
using Pipeline.Engine.Tests.Model;
using Pipeline.Engine.Training;
using Pipeline.Testing;

namespace Pipeline.Engine.Tests.Training;

public class AdamWTests
{
    [Fact]
    public void Update_FollowsDecoupledDecayAndBiasCorrectedMoments()
    {
        ParameterTensor[] tensors = [new("w", [2, 1], 0, 2), new("b", [1], 2, 1)];
        var options = new AdamWOptions { Beta1 = 0.8f, Beta2 = 0.9f, Epsilon = 1e-3f, WeightDecay = 0.5f, DecayVectors = false };
        var optimizer = new AdamW(tensors, options);
        float[] p = [1f, -2f, 3f];
        double[] expected = [1, -2, 3];
        double[] m = new double[3], v = new double[3];
        float[][] grads = [[0.5f, -1f, 2f], [0.1f, 0.3f, -0.2f], [-0.4f, 0.2f, 0.6f]];
        const double lr = 0.1;
        for (int step = 1; step <= grads.Length; step++)
        {
            optimizer.Update(p, grads[step - 1], (float)lr);
            for (int i = 0; i < 3; i++)
            {
                double g = grads[step - 1][i];
                if (i < 2)
                {
                    expected[i] *= 1 - lr * 0.5;
                }

                m[i] = 0.8 * m[i] + 0.2 * g;
                v[i] = 0.9 * v[i] + 0.1 * g * g;
                double mHat = m[i] / (1 - Math.Pow(0.8, step));
                double denominator = Math.Sqrt(v[i]) / Math.Sqrt(1 - Math.Pow(0.9, step)) + 1e-3;
                expected[i] -= lr * mHat / denominator;
                Assert.Equal(expected[i], p[i], 1e-5);
            }
        }

        Assert.Equal(3, optimizer.Step);
    }

    [Fact]
    public void ResumeFromCheckpoint_GivesBitwiseSameWeightsAsUninterruptedRun()
    {
        const int totalSteps = 6, interruptAt = 3;
        ModelConfig config = TestModels.Tiny();
        var options = new AdamWOptions { WeightDecay = 0.1f };
        var schedule = new LearningRateSchedule(3e-3f, 2, totalSteps, 3e-4f);
        int[][] data = Enumerable.Range(0, 8).Select(i => RandomModels.Tokens(7, config.VocabSize, 200 + (ulong)i)).ToArray();

        LlamaModel straight = LlamaModel.Create(config, 50);
        var straightOptimizer = new AdamW(straight.Tensors, options);
        var straightRandom = new SeededRandom(51);
        for (int s = 0; s < totalSteps; s++)
        {
            TrainStep(straight, straightOptimizer, straightRandom, schedule, data);
        }

        LlamaModel first = LlamaModel.Create(config, 50);
        var firstOptimizer = new AdamW(first.Tensors, options);
        var firstRandom = new SeededRandom(51);
        for (int s = 0; s < interruptAt; s++)
        {
            TrainStep(first, firstOptimizer, firstRandom, schedule, data);
        }

        using var dir = new TemporaryDirectory();
        first.Save(dir);
        firstOptimizer.Save(dir, firstRandom);

        LlamaModel resumed = LlamaModel.Load(dir);
        var resumedOptimizer = new AdamW(resumed.Tensors, options);
        var resumedRandom = new SeededRandom(0);
        resumedOptimizer.Load(dir, resumedRandom);
        Assert.Equal(interruptAt, resumedOptimizer.Step);
        for (int s = interruptAt; s < totalSteps; s++)
        {
            TrainStep(resumed, resumedOptimizer, resumedRandom, schedule, data);
        }

        Assert.Equal(straight.Parameters.ToArray(), resumed.Parameters.ToArray());
        Assert.Equal(straightOptimizer.SecondMoments.ToArray(), resumedOptimizer.SecondMoments.ToArray());
        Assert.NotEqual(LlamaModel.Create(config, 50).Parameters.ToArray(), resumed.Parameters.ToArray());
    }

    [Fact]
    public void Load_DifferentHyperParameters_Throws()
    {
        LlamaModel model = LlamaModel.Create(TestModels.Tiny(), 1);
        using var dir = new TemporaryDirectory();
        new AdamW(model.Tensors, new AdamWOptions { WeightDecay = 0.1f }).Save(dir);
        var other = new AdamW(model.Tensors, new AdamWOptions { WeightDecay = 0.2f });
        Assert.Throws<InvalidDataException>(() => other.Load(dir));
    }

    /// <summary>
    /// One optimizer step of next-token cross-entropy over two accumulated micro-batches drawn by the RNG, with
    /// clipping and the schedule, as a trainer would run it.
    /// </summary>
    private static void TrainStep(LlamaModel model, AdamW optimizer, SeededRandom random, LearningRateSchedule schedule, int[][] data)
    {
        const int microBatches = 2, batch = 2, time = 6;
        model.ZeroGrad();
        int[] tokens = new int[batch * time];
        int[] targets = new int[batch * time];
        float[] logProbs = new float[batch * time];
        float[] dLogProbs = new float[batch * time];
        for (int micro = 0; micro < microBatches; micro++)
        {
            for (int b = 0; b < batch; b++)
            {
                int[] sequence = data[random.NextInt(data.Length)];
                sequence.AsSpan(0, time).CopyTo(tokens.AsSpan(b * time));
                sequence.AsSpan(1, time).CopyTo(targets.AsSpan(b * time));
            }

            model.ForwardLogProbs(tokens, targets, batch, time, logProbs);
            Array.Fill(dLogProbs, -1f / (batch * time * microBatches));
            model.Backward(dLogProbs);
        }

        GradientClipping.ClipByGlobalNorm(model.Gradients, 1.0);
        optimizer.Update(model.Parameters, model.Gradients, schedule.At(optimizer.Step));
    }
}
