// A campaign on a folder store in a temp folder with a tiny arith model as its base (trained for a few seconds, once per
// test run, so it writes answers and verdict words), so every stage's work runs in about a second; shared by the stage
// work tests.
using Pipeline.Contracts;
using Pipeline.Learning.Bootstrap;
using Pipeline.Learning.Signals;
using Pipeline.Learning.Tasks;
using Pipeline.Learning.Tasks.Arith;
using Pipeline.Learning.Updates;
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Work;
using Pipeline.Storage.Checkpoints;
using Pipeline.Storage.Folder;

namespace Pipeline.Stages.Tests.Work;

internal sealed class TinyCampaign : IDisposable
{
    private TinyCampaign(string root, string id, CampaignDefinition definition, FolderObjectStore store, CheckpointReference basePolicy)
    {
        Root = root;
        Id = id;
        Definition = definition;
        Store = store;
        Base = basePolicy;
        Checkpoints = new CheckpointStore(store);
        Shards = new ShardStore(store);
        Policies = NewLoader();
    }

    public string Root { get; }
    public string Id { get; }
    public CampaignDefinition Definition { get; }
    public FolderObjectStore Store { get; }
    public CheckpointStore Checkpoints { get; }
    public ShardStore Shards { get; }
    public PolicyLoader Policies { get; }
    public CheckpointReference Base { get; }

    /// <summary>A fresh loader with its own file cache, as another process would have.</summary>
    public PolicyLoader NewLoader() => new(Checkpoints, Path.Combine(Root, "cache-" + Guid.NewGuid().ToString("N")));

    /// <summary>The built-in recipe shrunk to a few prompts, short responses and three one-step chunks.</summary>
    public static CampaignDefinition Small(Recipe recipe) => CampaignDefinition.LoadBuiltIn(recipe.Name()) with
    {
        Iterations = 2,
        PromptsPerIteration = 4,
        Shards = 2,
        SamplesPerPrompt = 3,
        MaxNewTokens = 48,
        Judging = new JudgingSettings { Samples = 2 },
        Pairs = new PairSettings { Threshold = 0.0, MaxPairsPerPrompt = 2 },
        Update = CampaignDefinition.LoadBuiltIn(recipe.Name()).Update with
        {
            Steps = 3, StepsPerChunk = 1, PromptsPerStep = 2, MicroBatchSize = 4, LearningRate = 1e-2,
            MinVoteShare = 0.0, MinLengthFraction = 0.0, StageOneSteps = 1,
        },
        Evaluation = new EvaluationSettings
        {
            ProblemsPerDifficulty = 3, Samples = 2, Difficulties = ["d2s1"],
            SecondAttempt = CampaignDefinition.LoadBuiltIn(recipe.Name()).Evaluation.SecondAttempt,
        },
    };

    public static async Task<TinyCampaign> CreateAsync(CampaignDefinition definition, string id = "tiny")
    {
        string root = Path.Combine(Path.GetTempPath(), "stages-tests-" + Guid.NewGuid().ToString("N"));
        var store = new FolderObjectStore(Path.Combine(root, "store"));
        var saved = await new CheckpointStore(store).SaveAsync(CampaignKeys.Policy(id, 0), await BaseFolder.Value);
        await CampaignFiles.WriteDefinitionAsync(store, id, definition);
        return new TinyCampaign(root, id, definition, store, saved);
    }

    /// <summary>The tiny base model's folder, trained once per test run (also the orchestrator harness tests' base model).</summary>
    internal static readonly Lazy<Task<string>> BaseFolder = new(() => Task.Run(() =>
    {
        string folder = Path.Combine(Path.GetTempPath(), "stages-tests-base-" + Guid.NewGuid().ToString("N"));
        BaseModelTrainer.Train(new ArithTask(), new BootstrapOptions
        {
            HiddenSize = 32, IntermediateSize = 64, NumLayers = 2, NumHeads = 4,
            Steps = 400, BatchSize = 16, WarmupSteps = 20, PeakLearningRate = 1e-2f,
            SftPerDifficulty = 100, JudgePerDifficulty = 50,
        }, folder);
        File.Delete(Path.Combine(folder, BaseModelTrainer.ReportFileName));
        return folder;
    }));

    /// <summary>
    /// Stores chosen generation outputs for every shard of <paramref name="iteration"/>: per prompt the gold solution twice
    /// and a corrupted one, so votes, verifier and confidences all have something to separate, each with its tokens and
    /// the per-token statistics of the base policy, as if that policy had sampled them. GenerationWork then finds them and
    /// reuses them. For the self-correction recipes each sample also gets a second attempt on its correction prompt: gold
    /// after the first gold (kept), corrupted after the second gold (broken), gold after the corrupted one (corrected).
    /// </summary>
    public async Task SeedGenerationAsync(int iteration)
    {
        var task = new ArithTask();
        var encoding = TaskEncoding.ForTask(task);
        var problems = CampaignPrompts.Splits(Definition).Campaign.ToDictionary(p => p.Id);
        float temperature = (float)Definition.Temperature;
        for (int shard = 0; shard < Definition.Shards; shard++)
        {
            var texts = new List<(CampaignPrompt Prompt, int Sample, string PromptText, string Response, int Attempt)>();
            foreach (var prompt in CampaignPrompts.Shard(Definition, iteration, shard))
            {
                var problem = problems[prompt.Id];
                string[] responses = [problem.Solution, problem.Solution, task.CorruptSolution(problem, 3)];
                texts.AddRange(responses.Select((r, i) => (prompt, i, prompt.Text, r, 1)));
                if (!Definition.Chain.TwoAttempts) continue;
                string[] second = [problem.Solution, task.CorruptSolution(problem, 3), problem.Solution];
                texts.AddRange(second.Select((r, i) => (prompt, i, SelfCorrection.BuildPrompt(prompt.Text, responses[i]), r, 2)));
            }
            var sequences = texts.Select(t => new PromptResponse(encoding.Prompt(t.PromptText), encoding.Response(t.Response))).ToList();
            var (statistics, policyLogProbs) = await Policies.UseAsync(Base, p =>
                (p.Model.Statistics(sequences, temperature, 8), p.Model.LogProbs(sequences, 8)));
            var rollouts = texts.Select((t, k) =>
            {
                var s = statistics[k];
                var tokens = new SampledTokens(sequences[k].Prompt, sequences[k].Response, temperature, Stopped: true,
                    [.. s.Select(x => x.LogProb)], policyLogProbs[k], [.. s.Select(x => x.Entropy)], [.. s.Select(x => x.SelfCertainty)],
                    [.. s.Select(x => x.Top1Prob)], [.. s.Select(x => x.Top2Prob)]);
                var answer = AnswerSpan.ToTokenRange(encoding.TokenTexts(sequences[k].Response), task.FindAnswer(t.Response));
                return new Rollout(t.Prompt.Id, t.PromptText, t.Sample, t.Response, tokens, task.ExtractAnswer(t.Response),
                    answer is { } a ? new TokenSpan(a.Start, a.Length) : null, new Dictionary<string, double>(), t.Prompt.GoldAnswer, t.Attempt);
            }).ToList();
            await Shards.WriteAsync(CampaignKeys.ShardOutput(Id, iteration, CampaignStage.Generation, shard), rollouts, new Dictionary<string, double>());
        }
    }

    public GenerateRollouts Generate(int iteration, int shard, CheckpointReference? policy = null) =>
        new(Id, iteration, shard, policy ?? Base, CampaignPrompts.Shard(Definition, iteration, shard));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
