// `pipeline bootstrap` trains a task's base model from scratch and writes an HF-format folder; `pipeline eval` measures a
// model folder on a task's held-out sets (accuracy, maj@k, calibration, self-certainty AUROC, length, judge accuracy).
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Pipeline.Cli.Progress;
using Pipeline.Learning.Bootstrap;
using Pipeline.Learning.Evaluation;
using Pipeline.Learning.Tasks;
using Spectre.Console;
using static Pipeline.Cli.Commands.CommandSupport;

namespace Pipeline.Cli.Commands;

/// <summary>The <c>bootstrap</c> and <c>eval</c> verbs.</summary>
internal static class LearningCommands
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Converters = { new NaNAsNull() } };

    /// <summary>Builds both verbs.</summary>
    public static IEnumerable<Command> Create() => [CreateBootstrap(), CreateEval()];

    private static Option<string> TaskOption() => new("--task") { Description = $"Embedded task ({string.Join(", ", TaskRegistry.Names)}).", Required = true };


    private static Command CreateBootstrap()
    {
        var defaults = new BootstrapOptions();
        Option<string> taskOption = TaskOption();
        var outOption = new Option<string>("--out") { Description = "Output model folder.", DefaultValueFactory = _ => Path.Combine("runs", RunCommand.BaseModelFolder) };
        var seedOption = new Option<int>("--seed") { Description = "Data, initialisation and order seed.", DefaultValueFactory = _ => defaults.Seed };
        var stepsOption = new Option<int>("--steps") { Description = "Optimiser steps.", DefaultValueFactory = _ => defaults.Steps }
            .Where(n => n >= 1, "must be at least 1");
        var noProgressOption = ProgressDisplays.NoProgressOption();
        var command = new Command("bootstrap", "Train a task's base model from scratch (SFT on the easy difficulties and the judge examples).")
        {
            taskOption, outOption, seedOption, stepsOption, noProgressOption,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(parse, cancellationToken, token =>
        {
            ITask task = TaskRegistry.Get(parse.GetRequiredValue(taskOption));
            var options = defaults with
            {
                Seed = parse.GetValue(seedOption),
                Steps = parse.GetValue(stepsOption),
            };
            options.Validate();
            string output = parse.GetValue(outOption)!;
            RequireFolderPath(output, "--out");
            BootstrapReport report;
            using (var progress = ProgressDisplays.Create(parse, noProgressOption))
                report = TrainBaseModel(task, options, output, progress, token);
            parse.InvocationConfiguration.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote {output}: {report.StepsDone} steps in {report.WallSeconds:0.0} s, loss {report.LossBySegment[0]:0.000} -> {report.LossBySegment[^1]:0.000}, {report.MethodSteps} steps on the methods' examples ({report.MethodPositionShare:P1} of positions)"));
            return Task.CompletedTask;
        }));
        return command;
    }

    private static Command CreateEval()
    {
        var modelOption = new Option<string>("--model") { Description = "Model folder: config.json, model.safetensors, tokenizer.json.", Required = true };
        Option<string> taskOption = TaskOption();
        var samplesOption = new Option<int>("--samples") { Description = "k of maj@k.", DefaultValueFactory = _ => new EvaluationOptions().Samples }
            .Where(n => n >= 1, "must be at least 1");
        var seedOption = new Option<int>("--seed") { Description = "Seed of the task's splits (the held-out sets).", DefaultValueFactory = _ => new BootstrapOptions().Seed };
        var jsonOption = new Option<bool>("--json") { Description = "Print JSON instead of a table." };
        var problemsOption = new Option<int>("--problems") { Description = "Problems per set, a prefix (the test sets hold 1,000; 200 keeps a look quick).", DefaultValueFactory = _ => 200 }
            .Where(n => n >= 1, "must be at least 1");
        var validationOption = new Option<bool>("--validation") { Description = "Evaluate on the validation set (campaign difficulty) instead of the held-out test sets: where settings are chosen." };
        Option<string> backendOption = PolicyBackends.BackendOption();
        var noProgressOption = ProgressDisplays.NoProgressOption();
        var command = new Command("eval", "Evaluate a model folder on a task's held-out sets, per difficulty.")
        {
            modelOption, taskOption, samplesOption, seedOption, jsonOption, problemsOption, validationOption, backendOption, noProgressOption,
        };
        command.SetAction(parse => Run(parse, () =>
        {
            ITask task = TaskRegistry.Get(parse.GetRequiredValue(taskOption));
            int samples = parse.GetValue(samplesOption);
            var (model, tokenizer) = LoadModelFolder(parse.GetRequiredValue(modelOption), PolicyBackends.Named(parse.GetRequiredValue(backendOption)));
            using var disposeModel = model;
            var all = task.Splits(parse.GetValue(seedOption), new SplitSizes(CampaignOnly: true));
            int count = parse.GetValue(problemsOption);
            IReadOnlyDictionary<string, IReadOnlyList<TaskProblem>> sets = parse.GetValue(validationOption)
                ? new Dictionary<string, IReadOnlyList<TaskProblem>> { [$"{all.Validation[0].Difficulty}-validation"] = all.Validation }
                : all.Evaluation;
            var splits = new { Evaluation = sets.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<TaskProblem>)kv.Value.Take(count).ToList()) };
            var evaluator = new TaskEvaluator(task, model, new TaskEncoding(tokenizer));
            var options = new EvaluationOptions { Samples = samples };
            var reports = new List<DifficultyReport>();
            using (var progress = ProgressDisplays.Create(parse, noProgressOption))
            {
                var clock = System.Diagnostics.Stopwatch.StartNew();
                foreach (var (difficulty, problems) in splits.Evaluation)
                {
                    progress.Show("eval", [EvaluationRow(reports, splits.Evaluation.Count, clock.Elapsed, $"evaluating {difficulty}")]);
                    reports.Add(evaluator.Evaluate(difficulty, problems, task.JudgeExamples(problems, parse.GetValue(seedOption)), options));
                }
                progress.Show("eval", [EvaluationRow(reports, splits.Evaluation.Count, clock.Elapsed, "")]);
            }
            TextWriter output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(jsonOption))
            {
                output.WriteLine(JsonSerializer.Serialize(new { Task = task.Name, Samples = samples, Difficulties = reports }, Indented));
                return;
            }

            var table = new Table().AddColumns("difficulty", "n", "greedy", "pass@1", $"maj@{samples}", "borda .3", "borda 1.2", "ECE vote", "ECE span",
                "SC AUROC", "sampled", "in-prompt", "length", "judge acc.");
            foreach (DifficultyReport r in reports)
            {
                table.AddRow(r.Difficulty, r.Problems.ToString(CultureInfo.InvariantCulture), Number(r.GreedyAccuracy), Number(r.PassAtOne),
                    Number(r.MajorityAccuracy), Number(r.BordaAccuracyLowPower), Number(r.BordaAccuracyHighPower),
                    Number(r.VoteShareEce), Number(r.AnswerConfidenceEce), Number(r.SelfCertaintyAuroc), Number(r.SampledSelfCertaintyAuroc),
                    Number(r.WithinPromptSelfCertaintyAuroc), Number(r.MeanResponseTokens),
                    Number(r.JudgeAccuracy));
            }

            IAnsiConsole console = Console(output);
            console.Profile.Width = 150;
            console.Write(table);
            output.WriteLine($"pass@1: share of right samples; maj@{samples}: majority of {samples} samples at temperature {options.Temperature.ToString(CultureInfo.InvariantCulture)}; "
                + "borda: self-certainty Borda voting over the same samples at p = 0.3 and 1.2 (arXiv 2502.18581); "
                + "ECE vote: calibration of the majority answer's vote share; ECE span: of the greedy answer-span confidence; "
                + "SC AUROC: self-certainty, correct vs incorrect, of the greedy responses, of all samples (sampled), and among one prompt's samples averaged over prompts with right and wrong samples (in-prompt); length: greedy tokens incl. EOS; judge acc.: verdict p(correct) ≥ 0.5 vs label.");
        }));
        return command;
    }

    /// <summary>
    /// The evaluation's progress as a row: difficulties done, each one's greedy accuracy, and what runs now. Live only:
    /// a log of <c>pipeline eval</c> holds its result, not its pace.
    /// </summary>
    private static ProgressRow EvaluationRow(IReadOnlyList<DifficultyReport> done, int total, TimeSpan elapsed, string now) =>
        new("eval", "evaluation", done.Count, total, "difficulties")
        {
            Detail = string.Join("  ", done.Select(r => $"{r.Difficulty}={Number(r.GreedyAccuracy)}").Append(now).Where(p => p.Length > 0)),
            Elapsed = elapsed,
            Remaining = done.Count > 0 && done.Count < total ? elapsed / done.Count * (total - done.Count) : null,
        };

    private static string Number(double value) =>
        double.IsNaN(value) ? "n/a" : value.ToString("0.000", CultureInfo.InvariantCulture);

    /// <summary>Writes undefined metrics (NaN, e.g. AUROC when every answer is right) as JSON null.</summary>
    private sealed class NaNAsNull : System.Text.Json.Serialization.JsonConverter<double>
    {
        public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble();

        public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
        {
            if (double.IsFinite(value)) writer.WriteNumberValue(value);
            else writer.WriteNullValue();
        }
    }

    /// <summary>A bootstrap projected to take longer than this gets a warning (it still trains every step: the clock never changes the model).</summary>
    internal static readonly TimeSpan BootstrapWarnAfter = TimeSpan.FromMinutes(9);

    /// <summary>How often the plain display repeats the bootstrap's progress line.</summary>
    internal static readonly TimeSpan BootstrapLineInterval = TimeSpan.FromSeconds(10);

    /// <summary>Trains the base model into <paramref name="output"/>, showing its steps, loss, tokens/s and time left on <paramref name="progress"/>.</summary>
    internal static BootstrapReport TrainBaseModel(ITask task, BootstrapOptions options, string output, IProgressDisplay progress,
        CancellationToken cancellationToken)
    {
        bool warned = false;
        return BaseModelTrainer.Train(task, options, output, new SynchronousProgress<BootstrapProgress>(p =>
        {
            // Judged once the pace has settled (past warm-up); a slow or busy machine is told, never trained differently.
            if (!warned && p.Step >= Math.Min(options.WarmupSteps + 1, p.TotalSteps) && p.Elapsed + p.Remaining > BootstrapWarnAfter)
            {
                warned = true;
                progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"warning: the bootstrap is projected to take {(p.Elapsed + p.Remaining).TotalMinutes:0} minutes at this machine's pace (is it busy?); it trains every step regardless"));
            }
            progress.Show("bootstrap", [BootstrapRow(p)]);
        }), cancellationToken);
    }

    /// <summary>The bootstrap's progress as a row: steps, smoothed loss, tokens/s, elapsed and remaining time.</summary>
    internal static ProgressRow BootstrapRow(BootstrapProgress p) => new("bootstrap", "bootstrap", p.Step, p.TotalSteps, "steps")
    {
        Detail = string.Create(CultureInfo.InvariantCulture, $"loss {p.Loss:0.0000}  {p.TokensPerSecond:0} tok/s"),
        Elapsed = p.Elapsed,
        Remaining = p.Remaining,
        PlainInterval = BootstrapLineInterval,
    };

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; would post to the thread pool and reorder lines).</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
