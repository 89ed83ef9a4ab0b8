// The verbs that turn campaigns into evidence. `pipeline signals` measures, in seconds and before any campaign, whether a
// model's label-free signals can carry a recipe (the offline gates on validation prompts). `pipeline compare` runs each
// recipe × campaign seed from the same base model as its own stored campaign (a finished one is reused, an unfinished one
// resumed) and writes the table with paired bootstrap intervals and McNemar's test against the gold baseline.
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Pipeline.Cli.Progress;
using Pipeline.Learning.Evaluation;
using Pipeline.Learning.Tasks;
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Orchestration;
using Pipeline.Stages.Reporting;
using Pipeline.Storage.Folder;
using Spectre.Console;
using static Pipeline.Cli.Commands.CommandSupport;

namespace Pipeline.Cli.Commands;

/// <summary>The <c>signals</c> and <c>compare</c> verbs.</summary>
internal static class ScienceCommands
{
    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Builds both verbs.</summary>
    public static IEnumerable<Command> Create() => [CreateSignals(), CreateCompare()];

    private static Command CreateSignals()
    {
        var modelOption = new Option<string>("--model") { Description = "Model folder: config.json, model.safetensors, tokenizer.json.", Required = true };
        var taskOption = new Option<string>("--task") { Description = $"Embedded task ({string.Join(", ", TaskRegistry.Names)}).", DefaultValueFactory = _ => "arith" };
        var samplesOption = new Option<int>("--samples") { Description = "Samples per validation prompt, N.", DefaultValueFactory = _ => 8 }
            .Where(n => n >= 2, "must be at least 2");
        var promptsOption = new Option<int>("--prompts") { Description = "Validation prompts (a prefix of the task's validation set).", DefaultValueFactory = _ => 500 }
            .Where(n => n >= 1, "must be at least 1");
        var temperatureOption = new Option<double>("--temperature") { Description = "Sampling temperature (the GRPO recipes' campaign temperature by default).", DefaultValueFactory = _ => 1.0 }
            .Where(t => t > 0 && double.IsFinite(t), "must be a positive number");
        var thresholdOption = new Option<double>("--rlsf-threshold") { Description = "RLSF's confidence threshold for its pair builder.", DefaultValueFactory = _ => 0.9 }
            .Where(t => t is >= 0 and <= 1, "must be 0 to 1");
        var seedOption = new Option<int>("--seed") { Description = "Seed of the task's splits (the base model's bootstrap seed).", DefaultValueFactory = _ => 1 };
        var jsonOption = new Option<bool>("--json") { Description = "Print JSON instead of tables." };
        Option<string> backendOption = PolicyBackends.BackendOption();
        var noProgressOption = ProgressDisplays.NoProgressOption();
        var command = new Command("signals", "Offline signal gates on validation prompts: within-prompt AUROC, best-of-N lift, voting selectors, pair precision and yield.")
        {
            modelOption, taskOption, samplesOption, promptsOption, temperatureOption, thresholdOption, seedOption, jsonOption, backendOption, noProgressOption,
        };
        command.SetAction(parse => Run(parse, () =>
        {
            ITask task = TaskRegistry.Get(parse.GetRequiredValue(taskOption));
            var validation = task.Splits(parse.GetValue(seedOption), new SplitSizes(CampaignOnly: true)).Validation;
            int count = parse.GetValue(promptsOption);
            if (count > validation.Count)
                throw new ArgumentException($"--prompts {count} exceeds the {validation.Count} validation prompts of task '{task.Name}'.");
            var (model, tokenizer) = LoadModelFolder(parse.GetRequiredValue(modelOption), PolicyBackends.Named(parse.GetRequiredValue(backendOption)));
            using var disposeModel = model;
            var clock = Stopwatch.StartNew();
            List<GatePrompt> prompts;
            using (var progress = ProgressDisplays.Create(parse, noProgressOption))
            {
                prompts = GateSampling.Sample(task, model, new TaskEncoding(tokenizer), validation.Take(count).ToList(), parse.GetValue(samplesOption),
                    (float)parse.GetValue(temperatureOption), seed: 1, progress: new LineProgress(progress));
            }
            var report = SignalGates.Compute(prompts, rlsfThreshold: parse.GetValue(thresholdOption));
            double seconds = clock.Elapsed.TotalSeconds;
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(jsonOption))
            {
                output.WriteLine(JsonSerializer.Serialize(new { Task = task.Name, Temperature = parse.GetValue(temperatureOption), WallSeconds = seconds, Gates = report }, Indented));
                return;
            }
            WriteGates(output, report, parse.GetValue(temperatureOption), seconds);
        }));
        return command;
    }

    private static void WriteGates(TextWriter output, SignalGateReport report, double temperature, double seconds)
    {
        var console = Console(output);
        console.Profile.Width = 140;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{report.Prompts} validation prompts × {report.SamplesPerPrompt} samples at T = {temperature}: greedy {report.GreedyAccuracy:0.000}, pass@1 {report.PassAtOne:0.000}, {report.MixedPrompts} prompts with right and wrong samples; {seconds:0} s"));
        var signals = new Table().AddColumns("signal", "AUROC in-prompt", "AUROC pooled", "best-of-N", "lift", "gate");
        foreach (var s in report.Signals)
            signals.AddRow(s.Signal, N(s.WithinPromptAuroc), N(s.PooledAuroc), N(s.BestOfNAccuracy), Signed(s.Lift), s.Passes ? "pass" : "fail");
        console.Write(signals);
        var selectors = new Table().AddColumns("selector", "accuracy", "lift");
        foreach (var s in report.Selectors) selectors.AddRow(s.Selector, N(s.Accuracy), Signed(s.Lift));
        console.Write(selectors);
        var pairs = new Table().AddColumns("pair builder", "pairs", "precision", "yield");
        foreach (var p in report.PairBuilders) pairs.AddRow(p.Builder, p.Pairs.ToString(CultureInfo.InvariantCulture), N(p.Precision), N(p.Yield));
        console.Write(pairs);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"gate: within-prompt AUROC ≥ {SignalGates.AurocThreshold} and best-of-N lift over greedy > 0; precision: chosen right and rejected wrong; yield: prompts with a pair."));
    }

    private static Command CreateCompare()
    {
        var recipesArgument = new Argument<string[]>("recipes")
        {
            Description = "Built-in recipes or campaign files to compare (a file's row is named after the file).", Arity = ArgumentArity.OneOrMore,
        };
        var seedsOption = new Option<int>("--seeds") { Description = "Campaign seeds per recipe (1..N).", DefaultValueFactory = _ => 3 }
            .Where(n => n >= 1, "must be at least 1");
        var baseModelOption = new Option<string?>("--base-model") { Description = $"Base model folder; default <runs>/{RunCommand.BaseModelFolder}, bootstrapped when missing." };
        var runsOption = new Option<string>("--runs") { Description = "Folder of the store (each recipe × seed is its own campaign there).", DefaultValueFactory = _ => Path.Combine("runs", "compare") };
        var problemsOption = new Option<int>("--problems") { Description = "Held-out problems per difficulty (the task's test sets hold 1,000).", DefaultValueFactory = _ => 1000 }
            .Where(n => n >= 1, "must be at least 1");
        var difficultiesOption = new Option<string?>("--difficulties") { Description = "Comma-separated held-out difficulties (default: every one of the task)." };
        var iterationsOption = CampaignCommands.IterationsOption();
        var goldOption = new Option<string>("--gold") { Description = "The recipe McNemar's test compares against.", DefaultValueFactory = _ => "grpo-gold" };
        var jsonOption = new Option<bool>("--json") { Description = "Print JSON instead of Markdown (both are written under --runs)." };
        var noProgressOption = ProgressDisplays.NoProgressOption();
        var command = new Command("compare", "Run recipes × seeds from one base model (resumable) and tabulate changes with bootstrap intervals and McNemar's test.")
        {
            recipesArgument, seedsOption, baseModelOption, runsOption, problemsOption, difficultiesOption, iterationsOption, goldOption, jsonOption, noProgressOption,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(parse, cancellationToken, async token =>
        {
            int seeds = parse.GetValue(seedsOption);
            var runs = Path.GetFullPath(parse.GetValue(runsOption)!);
            RequireFolderPath(runs, "--runs");
            string? difficulties = parse.GetValue(difficultiesOption);
            // Every definition is checked before the first campaign spends minutes.
            var plans = new List<(string Recipe, int Seed, string Id, CampaignDefinition Definition)>();
            foreach (var recipe in parse.GetRequiredValue(recipesArgument))
            {
                var loaded = CampaignCommands.LoadDefinition(recipe, parse.GetValue(iterationsOption));
                string name = loaded.Recipe.Name();
                var evaluation = loaded.Evaluation with
                {
                    ProblemsPerDifficulty = parse.GetValue(problemsOption),
                    Difficulties = difficulties is null ? null : difficulties.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                };
                for (int seed = 1; seed <= seeds; seed++)
                {
                    // Through the strict reader, so an override out of range is a one-line error naming its key.
                    var definition = CampaignDefinition.Parse((loaded with { Seed = seed, Evaluation = evaluation }).ToJson(), $"{recipe} (seed {seed})");
                    // A campaign file is named by its file (two files of one recipe are two rows), a built-in by its recipe.
                    string tag = File.Exists(recipe) ? Path.GetFileNameWithoutExtension(recipe).ToLowerInvariant() : name;
                    plans.Add((tag, seed, CampaignId(tag, seed, definition), definition));
                }
            }
            var baseModel = parse.GetValue(baseModelOption);
            if (baseModel is not null) RunCommand.CheckBaseModel(baseModel);
            var store = new FolderObjectStore(runs);
            var states = new CampaignStateStore(store);
            var finished = new List<ComparedCampaign>();
            var wall = Stopwatch.StartNew();
            using (var progress = ProgressDisplays.Create(parse, noProgressOption))
            {
                if (baseModel is null)
                {
                    baseModel = Path.Combine(runs, RunCommand.BaseModelFolder);
                    if (!File.Exists(Path.Combine(baseModel, "config.json")))
                        RunCommand.Bootstrap(plans[0].Definition, baseModel, progress, token);
                    RunCommand.CheckBaseModel(baseModel);
                }
                for (int k = 0; k < plans.Count; k++)
                {
                    var (recipe, seed, id, definition) = plans[k];
                    var stored = await states.ReadAsync(id, token);
                    double seconds = 0;
                    if (stored?.Status == CampaignStatus.Completed)
                    {
                        progress.WriteLine($"compare {k + 1}/{plans.Count}: {id} finished earlier; reused");
                    }
                    else
                    {
                        progress.WriteLine($"compare {k + 1}/{plans.Count}: {id} {(stored is null ? "starting" : "resuming")}");
                        var clock = Stopwatch.StartNew();
                        var state = await RunCommand.RunEmbeddedAsync(definition, runs, baseModel, progress, token, campaignId: id, resume: stored is not null);
                        seconds = clock.Elapsed.TotalSeconds;
                        if (state.Status != CampaignStatus.Completed)
                            throw new InvalidOperationException($"campaign {id} ended {state.Status.ToString().ToLowerInvariant()}, not completed.");
                        progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"compare {k + 1}/{plans.Count}: {id} done in {seconds:0} s"));
                    }
                    var before = await StoredEvaluations.ReadAsync(store, id, 0, token)
                        ?? throw new InvalidDataException($"campaign {id} has no evaluation of its base model.");
                    var after = await StoredEvaluations.ReadAsync(store, id, definition.Iterations, token)
                        ?? throw new InvalidDataException($"campaign {id} has no evaluation of iteration {definition.Iterations}.");
                    finished.Add(new ComparedCampaign(recipe, seed, id, before, after, seconds));
                }
            }
            var table = RecipeComparison.Build(finished, parse.GetRequiredValue(goldOption));
            double total = wall.Elapsed.TotalSeconds;
            string markdown = table.ToMarkdown() + string.Create(CultureInfo.InvariantCulture,
                $"\nWall time of this `pipeline compare`: {total:0} s ({finished.Count(c => c.WallSeconds > 0)} campaign(s) run, {finished.Count(c => c.WallSeconds == 0)} reused; campaigns run: {finished.Sum(c => c.WallSeconds):0} s).\n");
            var json = JsonSerializer.Serialize(new { table.GoldRecipe, WallSeconds = total, table.Rows,
                Campaigns = finished.Select(c => new { c.Recipe, c.Seed, c.CampaignId, c.WallSeconds }) }, Indented);
            await File.WriteAllTextAsync(Path.Combine(runs, "compare.md"), markdown, token);
            await File.WriteAllTextAsync(Path.Combine(runs, "compare.json"), json, token);
            parse.InvocationConfiguration.Output.WriteLine(parse.GetValue(jsonOption) ? json : markdown);
        }));
        return command;
    }

    /// <summary>
    /// The stored campaign's id: recipe tag, seed and a short hash of the whole definition, so a changed setting never
    /// reuses a campaign run under other settings.
    /// </summary>
    internal static string CampaignId(string tag, int seed, CampaignDefinition definition)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(definition.ToJson()));
        string clean = new(tag.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-').ToArray());
        return $"cmp-{clean}-s{seed}-{Convert.ToHexStringLower(hash)[..8]}";
    }

    private static string N(double v) => double.IsNaN(v) ? "n/a" : v.ToString("0.000", CultureInfo.InvariantCulture);

    private static string Signed(double v) => double.IsNaN(v) ? "n/a" : (v >= 0 ? "+" : "") + v.ToString("0.000", CultureInfo.InvariantCulture);

    /// <summary>Stage messages of the gate sampling as progress lines.</summary>
    private sealed class LineProgress(IProgressDisplay display) : IProgress<string>
    {
        public void Report(string value) => display.WriteLine("signals: " + value);
    }
}
