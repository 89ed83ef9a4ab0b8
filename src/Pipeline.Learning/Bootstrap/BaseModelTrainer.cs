// Trains the base model of a campaign from scratch: a small Llama-style model over the task's character tokenizer, SFT on
// the training difficulties' worked solutions and on the judge-training examples (so the base model can also act as its
// own verdict judge), AdamW with warm-up and cosine decay, then an HF-format folder: config.json, model.safetensors,
// tokenizer.json and training.json. Deterministic for a seed unless the wall-clock cap cuts training short.
using System.Diagnostics;
using System.Text.Json;

using Pipeline.Engine.Model;
using Pipeline.Engine.Training;
using Pipeline.Learning.Tasks;
using Pipeline.Learning.Tasks.Arith;

namespace Pipeline.Learning.Bootstrap;

/// <summary>Builds and trains a base model for the arith task.</summary>
public static class BaseModelTrainer
{
    /// <summary>File holding the <see cref="BootstrapReport"/> and the options, next to the model.</summary>
    public const string ReportFileName = "training.json";

    private const int Segments = 10;
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    /// <summary>The SFT sequences of the splits: (BOS + prompt, solution + EOS) and (BOS + verdict prompt, verdict + EOS).</summary>
    public static IReadOnlyList<(int[] Prompt, int[] Response)> TrainingSequences(TaskSplits splits, TaskEncoding encoding)
    {
        var rows = new List<(int[], int[])>(splits.Sft.Count + splits.Judge.Count);
        rows.AddRange(splits.Sft.Select(p => (encoding.Prompt(p.Prompt), encoding.Response(p.Solution))));
        rows.AddRange(splits.Judge.Select(j => (encoding.Prompt(j.Prompt), encoding.Response(j.Verdict))));
        return rows;
    }

    /// <summary>
    /// Trains on <see cref="ArithSplitOptions.Recommended"/>(seed) (with the options' size overrides) and writes the
    /// model folder to <paramref name="outputDirectory"/>.
    /// </summary>
    public static BootstrapReport Train(ArithTask task, BootstrapOptions options, string outputDirectory,
        IProgress<BootstrapProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var recommended = ArithSplitOptions.Recommended(options.Seed);
        var splitOptions = recommended with
        {
            SftPerDifficulty = options.SftPerDifficulty ?? recommended.SftPerDifficulty,
            JudgePerDifficulty = options.JudgePerDifficulty ?? recommended.JudgePerDifficulty,
        };
        var encoding = TaskEncoding.ForTask(task);
        var sequences = TrainingSequences(task.BuildSplits(splitOptions), encoding);
        int longest = sequences.Max(s => s.Prompt.Length + s.Response.Length);

        var config = ModelConfig.Llama(encoding.Tokenizer.VocabularySize, options.HiddenSize, options.IntermediateSize,
            options.NumLayers, options.NumHeads, options.NumHeads, tieWordEmbeddings: true,
            maxPositionEmbeddings: Math.Max(256, 2 * longest), positionEncoding: options.PositionEncoding);
        ulong seed = (ulong)options.Seed;
        var model = LlamaModel.Create(config, SeededRandom.DeriveSeed(seed, "bootstrap/init"));
        var optimizer = new AdamW(model.Tensors, new AdamWOptions { WeightDecay = options.WeightDecay, Beta2 = 0.98f, DecayVectors = false });
        var schedule = new LearningRateSchedule(options.PeakLearningRate, options.WarmupSteps, options.Steps,
            options.PeakLearningRate * options.FinalRateFraction);
        var order = new SeededRandom(SeededRandom.DeriveSeed(seed, "bootstrap/order"));

        var indices = Enumerable.Range(0, sequences.Count).ToArray();
        int cursor = indices.Length;
        var losses = new List<double>(options.Steps);
        double smoothed = double.NaN;
        long positions = 0;
        bool stoppedByTime = false;
        var clock = Stopwatch.StartNew();
        float[] logProbs = [];
        float[] dLogProbs = [];
        var rows = new List<(int[] Prompt, int[] Response)>(options.BatchSize);
        for (int step = 0; step < options.Steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            rows.Clear();
            while (rows.Count < options.BatchSize)
            {
                if (cursor == indices.Length)
                {
                    order.Shuffle(indices.AsSpan());
                    cursor = 0;
                }
                rows.Add(sequences[indices[cursor++]]);
            }

            var batch = PromptResponseBatch.Pack(rows, encoding.Pad);
            int n = batch.Batch * batch.Time;
            if (logProbs.Length < n)
            {
                logProbs = new float[n];
                dLogProbs = new float[n];
            }

            model.ZeroGrad();
            model.ForwardLogProbs(batch.Tokens, batch.Targets, batch.Batch, batch.Time, logProbs.AsSpan(0, n));
            double loss = MeanNegativeLogLikelihood(batch.Targets, logProbs.AsSpan(0, n), dLogProbs.AsSpan(0, n));
            model.Backward(dLogProbs.AsSpan(0, n));
            GradientClipping.ClipByGlobalNorm(model.Gradients, options.MaxGradientNorm);
            optimizer.Update(model.Parameters, model.Gradients, schedule.At(step));

            losses.Add(loss);
            positions += n;
            smoothed = double.IsNaN(smoothed) ? loss : 0.95 * smoothed + 0.05 * loss;
            var elapsed = clock.Elapsed;
            int done = step + 1;
            progress?.Report(new BootstrapProgress(done, options.Steps, smoothed, positions / elapsed.TotalSeconds, elapsed,
                TimeSpan.FromSeconds(elapsed.TotalSeconds / done * (options.Steps - done))));
            if (options.TimeLimit is { } limit && elapsed >= limit && done < options.Steps)
            {
                stoppedByTime = true;
                break;
            }
        }

        double seconds = clock.Elapsed.TotalSeconds;
        var report = new BootstrapReport(options.Seed, options.Steps, losses.Count, sequences.Count, model.Parameters.Length,
            SegmentMeans(losses), seconds, positions / seconds, stoppedByTime);
        model.Save(outputDirectory);
        encoding.Tokenizer.Save(Path.Combine(outputDirectory, "tokenizer.json"));
        File.WriteAllText(Path.Combine(outputDirectory, ReportFileName),
            JsonSerializer.Serialize(new { Report = report, Options = options with { }, Task = task.Name, Splits = splitOptions }, Indented));
        return report;
    }

    /// <summary>Mean NLL over the positions with a target; writes its gradient with respect to each log-prob.</summary>
    internal static double MeanNegativeLogLikelihood(ReadOnlySpan<int> targets, ReadOnlySpan<float> logProbs, Span<float> dLogProbs)
    {
        int count = 0;
        for (int i = 0; i < targets.Length; i++) if (targets[i] >= 0) count++;
        if (count == 0) throw new ArgumentException("The batch has no target.", nameof(targets));
        double sum = 0;
        float weight = -1f / count;
        for (int i = 0; i < targets.Length; i++)
        {
            bool scored = targets[i] >= 0;
            if (scored) sum -= logProbs[i];
            dLogProbs[i] = scored ? weight : 0f;
        }
        return sum / count;
    }

    private static List<double> SegmentMeans(IReadOnlyList<double> losses)
    {
        var means = new List<double>(Segments);
        for (int s = 0; s < Segments; s++)
        {
            int start = losses.Count * s / Segments, end = losses.Count * (s + 1) / Segments;
            if (end > start) means.Add(losses.Skip(start).Take(end - start).Average());
        }
        return means;
    }
}
