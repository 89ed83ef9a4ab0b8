// Trains the base model of a campaign from scratch: a small Llama-style model over the task's character tokenizer, SFT on
// the training difficulties' worked solutions and on the judge-training examples (so the base model can also act as its
// own verdict judge), plus, in batches of their own, the methods' examples: self-correction (a second attempt after a
// first, for SCoRe), meta-judgements (which of two verdicts is right, for Meta-Rewarding) and answer-only verdicts (for
// TPO's judge); AdamW with warm-up and cosine decay, then an HF-format folder: config.json, model.safetensors,
// tokenizer.json and training.json. The steps themselves are SftUpdate steps on a PolicyTrainer. Deterministic for a
// seed: the schedule never depends on the clock, so a busy machine takes longer but trains the same model.
using System.Diagnostics;
using System.Text.Json;

using Pipeline.Engine.Model;
using Pipeline.Engine.Training;
using Pipeline.Learning.Tasks;
using Pipeline.Learning.Updates;

namespace Pipeline.Learning.Bootstrap;

/// <summary>Builds and trains a task's base model.</summary>
public static class BaseModelTrainer
{
    /// <summary>File holding the <see cref="BootstrapReport"/> and the options, next to the model.</summary>
    public const string ReportFileName = "training.json";

    private const int Segments = 10;
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    /// <summary>The SFT sequences of the splits: (BOS + prompt, solution + EOS) and (BOS + verdict prompt, verdict + EOS).</summary>
    public static IReadOnlyList<PromptResponse> TrainingSequences(TaskSplits splits, TaskEncoding encoding)
    {
        var rows = new List<PromptResponse>(splits.Sft.Count + splits.Judge.Count);
        rows.AddRange(splits.Sft.Select(p => new PromptResponse(encoding.Prompt(p.Prompt), encoding.Response(p.Solution))));
        rows.AddRange(splits.Judge.Select(j => new PromptResponse(encoding.Prompt(j.Prompt), encoding.Response(j.Verdict))));
        return rows;
    }

    /// <summary>
    /// The methods' SFT sequences: (BOS + correction prompt, gold solution + EOS), (BOS + meta-judge prompt, " A" or " B" +
    /// EOS) and (BOS + answer-only verdict prompt, verdict + EOS).
    /// </summary>
    public static IReadOnlyList<PromptResponse> MethodSequences(TaskSplits splits, TaskEncoding encoding) =>
    [
        .. splits.Corrections.Select(c => new PromptResponse(encoding.Prompt(c.Prompt), encoding.Response(c.Response))),
        .. splits.MetaJudge.Concat(splits.AnswerJudge).Select(j => new PromptResponse(encoding.Prompt(j.Prompt), encoding.Response(j.Verdict))),
    ];

    /// <summary>
    /// Trains on the task's splits for the options' seed (with the options' size overrides) and writes the model folder
    /// to <paramref name="outputDirectory"/>.
    /// </summary>
    public static BootstrapReport Train(ITask task, BootstrapOptions options, string outputDirectory,
        IProgress<BootstrapProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var sizes = new SplitSizes(options.SftPerDifficulty, options.JudgePerDifficulty, CorrectionPerDifficulty: options.CorrectionPerDifficulty,
            MetaJudgePerDifficulty: options.MetaJudgePerDifficulty, AnswerJudgePerDifficulty: options.AnswerJudgePerDifficulty);
        var encoding = TaskEncoding.ForTask(task);
        var splits = task.Splits(options.Seed, sizes);
        var sequences = TrainingSequences(splits, encoding);
        var methodExamples = options.MethodBatchEvery > 0 ? MethodSequences(splits, encoding) : [];
        int longest = sequences.Concat(methodExamples).Max(s => s.Prompt.Length + s.Response.Length);

        var config = ModelConfig.Llama(encoding.Tokenizer.VocabularySize, options.HiddenSize, options.IntermediateSize,
            options.NumLayers, options.NumHeads, options.NumHeads, tieWordEmbeddings: true,
            maxPositionEmbeddings: Math.Max(256, 2 * longest), positionEncoding: options.PositionEncoding);
        ulong seed = (ulong)options.Seed;
        var model = LlamaModel.Create(config, SeededRandom.DeriveSeed(seed, "bootstrap/init"));
        int totalSteps = options.TotalSteps(methodExamples.Count > 0);
        var schedule = new LearningRateSchedule(options.PeakLearningRate, options.WarmupSteps, totalSteps,
            options.PeakLearningRate * options.FinalRateFraction);
        var trainer = new PolicyTrainer(model, new TrainingOptions(schedule)
        {
            Optimizer = new AdamWOptions { WeightDecay = options.WeightDecay, Beta2 = 0.98f, DecayVectors = false },
            MaxGradientNorm = options.MaxGradientNorm,
            MicroBatchSize = options.BatchSize,
        }, SeededRandom.DeriveSeed(seed, "bootstrap/order"));

        var indices = Enumerable.Range(0, sequences.Count).ToArray();
        int cursor = indices.Length;
        var methodIndices = Enumerable.Range(0, methodExamples.Count).ToArray();
        int methodCursor = methodIndices.Length;
        var losses = new List<double>(options.Steps);
        double smoothed = double.NaN;
        long positions = 0, methodPositions = 0;
        int methodSteps = 0;
        var clock = Stopwatch.StartNew();
        var batch = new List<PromptResponse>(options.BatchSize);
        for (int step = 0; step < trainer.Options.Schedule.TotalSteps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            batch.Clear();
            bool methodStep = methodExamples.Count > 0 && (step + 1) % (options.MethodBatchEvery + 1) == 0;
            while (batch.Count < options.BatchSize)
            {
                if (methodStep)
                {
                    if (methodCursor == methodIndices.Length)
                    {
                        trainer.Random.Shuffle(methodIndices.AsSpan());
                        methodCursor = 0;
                    }
                    batch.Add(methodExamples[methodIndices[methodCursor++]]);
                    continue;
                }
                if (cursor == indices.Length)
                {
                    trainer.Random.Shuffle(indices.AsSpan());
                    cursor = 0;
                }
                batch.Add(sequences[indices[cursor++]]);
            }

            var result = SftUpdate.Step(trainer, batch);
            losses.Add(result.Loss);
            long batchPositions = batch.Count * batch.Max(b => b.Prompt.Length + b.Response.Length - 1);
            positions += batchPositions;
            if (methodStep)
            {
                methodPositions += batchPositions;
                methodSteps++;
            }
            smoothed = double.IsNaN(smoothed) ? result.Loss : 0.95 * smoothed + 0.05 * result.Loss;
            var elapsed = clock.Elapsed;
            int done = step + 1;
            int total = trainer.Options.Schedule.TotalSteps;
            progress?.Report(new BootstrapProgress(done, total, smoothed, positions / elapsed.TotalSeconds, elapsed,
                TimeSpan.FromSeconds(elapsed.TotalSeconds / done * (total - done))));
        }

        double seconds = clock.Elapsed.TotalSeconds;
        var report = new BootstrapReport(options.Seed, totalSteps, losses.Count, sequences.Count + methodExamples.Count, model.Parameters.Length,
            SegmentMeans(losses), seconds, positions / seconds)
        {
            MethodSteps = methodSteps,
            MethodPositionShare = positions > 0 ? (double)methodPositions / positions : 0,
        };
        model.Save(outputDirectory);
        encoding.Tokenizer.Save(Path.Combine(outputDirectory, "tokenizer.json"));
        File.WriteAllText(Path.Combine(outputDirectory, ReportFileName),
            JsonSerializer.Serialize(new { Report = report, Options = options with { }, Task = task.Name, Splits = sizes }, Indented));
        return report;
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
