// Evaluation: Learning's TaskEvaluator measures a policy on the campaign's held-out difficulties (greedy accuracy, maj@k,
// calibration, self-certainty AUROC, length, accuracy as its own verdict judge). The same sampling seed is used for every
// iteration, so differences between iterations come from the policy, not from the draw. The stored document is written
// and read only here, so the orchestrator and the campaign report read exactly what the stage wrote.
using System.Diagnostics;
using System.Text.Json;
using Pipeline.Contracts;
using Pipeline.Learning.Evaluation;
using Pipeline.Learning.Tasks;
using Pipeline.Stages.Campaigns;
using Pipeline.Storage;

namespace Pipeline.Stages.Work;

/// <summary>Evaluates a policy (the <c>evaluation</c> stage).</summary>
/// <param name="store">Where evaluation.json is stored.</param>
/// <param name="policies">Where policies are loaded from.</param>
internal sealed class EvaluationWork(IObjectStore store, PolicyLoader policies)
{
    /// <summary>
    /// The evaluation of <see cref="EvaluatePolicy.Checkpoint"/> for the iteration: read back from
    /// <see cref="CampaignKeys.Evaluation"/> when stored, otherwise measured and stored (create-only).
    /// </summary>
    public async Task<(EvaluationReport Report, string Key, bool Reused)> RunAsync(CampaignDefinition definition, EvaluatePolicy command,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(command);
        string key = CampaignKeys.Evaluation(command.CampaignId, command.Iteration);
        if (await TryReadAsync(store, key, cancellationToken) is { } stored) return (stored, key, true);

        var clock = Stopwatch.StartNew();
        var sets = CampaignPrompts.EvaluationSets(definition);
        var reports = await policies.UseAsync(command.Checkpoint, definition.Backend, policy =>
        {
            var task = TaskRegistry.Get(definition.Task);
            var evaluator = new TaskEvaluator(task, policy.Model, policy.Encoding);
            var options = new EvaluationOptions
            {
                Samples = definition.Evaluation.Samples,
                Temperature = (float)definition.Evaluation.Temperature,
                SecondAttempt = definition.Evaluation.SecondAttempt,
                JudgeSamples = !definition.Evaluation.JudgeSamples ? SampleJudging.None
                    : definition.Chain.JudgesAnswerOnly ? SampleJudging.AnswerOnly : SampleJudging.Response,
                Seed = StageSeeds.Derive(definition, "evaluation"),
            };
            return sets.Select(s => evaluator.Evaluate(s.Difficulty, s.Problems, task.JudgeExamples(s.Problems, definition.TaskSeed), options)).ToList();
        }, cancellationToken);
        var report = new EvaluationReport(command.CampaignId, command.Iteration, command.Checkpoint, reports.Select(Metrics).ToList(), reports)
        {
            WallSeconds = clock.Elapsed.TotalSeconds,
        };
        var (written, reused) = await WriteAsync(store, report, cancellationToken);
        return (written, key, reused);
    }

    /// <summary>
    /// Stores <paramref name="report"/> at <see cref="CampaignKeys.Evaluation"/> of its campaign and iteration, create-only;
    /// when one is stored there already (another delivery finished first), returns that one with Reused set.
    /// </summary>
    public static async Task<(EvaluationReport Report, bool Reused)> WriteAsync(IObjectStore store, EvaluationReport report,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(report);
        string key = CampaignKeys.Evaluation(report.CampaignId, report.Iteration);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(report, StoredJson.Document);
        try
        {
            await store.PutAsync(key, new MemoryStream(bytes, writable: false), PutMode.CreateOnly, cancellationToken);
        }
        catch (ObjectAlreadyExistsException)
        {
            return (await TryReadAsync(store, key, cancellationToken) ?? throw new ObjectNotFoundException(key), true);
        }
        return (report, false);
    }

    /// <summary>The stored evaluation at <paramref name="key"/>, or null when there is none.</summary>
    /// <exception cref="InvalidDataException">The document is not an evaluation report.</exception>
    public static async Task<EvaluationReport?> TryReadAsync(IObjectStore store, string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        EvaluationReport? report;
        try
        {
            await using var stream = await store.OpenReadAsync(key, cancellationToken);
            report = await JsonSerializer.DeserializeAsync<EvaluationReport>(stream, StoredJson.Document, cancellationToken);
        }
        catch (ObjectNotFoundException)
        {
            return null;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{key}: not an evaluation report ({e.Message}).", e);
        }
        // Missing members deserialize as null; the figures are what every reader needs.
        if (report?.Difficulties is null)
            throw new InvalidDataException($"{key}: not an evaluation report (no difficulties).");
        return report;
    }

    /// <summary>The event figures of an evaluator report (mean self-certainty over all greedy responses).</summary>
    public static DifficultyMetrics Metrics(DifficultyReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        double a = report.GreedyAccuracy;
        double meanSc = (a > 0 ? a * report.MeanSelfCertaintyCorrect : 0) + (a < 1 ? (1 - a) * report.MeanSelfCertaintyIncorrect : 0);
        return new DifficultyMetrics(report.Difficulty, report.Problems, report.GreedyAccuracy, report.MajorityAccuracy, report.AnswerConfidenceEce,
            meanSc, report.SelfCertaintyAuroc, report.MeanResponseTokens, report.JudgeAccuracy)
        {
            SelfCorrection = report.SelfCorrection is { } c
                ? new SelfCorrectionMetrics(c.FirstAttemptAccuracy, c.SecondAttemptAccuracy, c.Delta, c.IncorrectToCorrect, c.CorrectToIncorrect)
                : null,
            SampleJudgeAccuracy = report.SampleJudge?.Accuracy ?? double.NaN,
            SampleJudgeAuroc = report.SampleJudge?.WithinPromptAuroc ?? double.NaN,
        };
    }

}
