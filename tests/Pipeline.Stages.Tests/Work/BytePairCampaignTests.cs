// A campaign on a base model whose tokenizer is byte-level BPE with merges (trained with the project's BPE trainer on the
// task's text): its sampled responses include token sequences that the tokenizer would encode differently from their
// decoded text, and the data plane must carry exactly the sampled ids to the update and the sampler's statistics to
// scoring. Runs the real orchestrator and stages on the in-memory bus, with a backend that records what the trainer sees.
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Contracts;
using Pipeline.Engine.Model;
using Pipeline.Engine.Tokenization;
using Pipeline.Engine.Training;
using Pipeline.Learning.Objectives;
using Pipeline.Learning.Policies;
using Pipeline.Learning.Tasks;
using Pipeline.Learning.Updates;
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Orchestration;
using Pipeline.Stages.Tests.Orchestration;
using Pipeline.Stages.Work;

namespace Pipeline.Stages.Tests.Work;

public sealed class BytePairCampaignTests
{
    [Fact]
    public async Task Campaign_BytePairBase_TrainsOnExactlyTheSampledIdsAndScoresWithTheSamplersStatistics()
    {
        var (folder, encoding) = BytePairBase();
        var recorder = new RecordingBackend();
        await using var harness = await CampaignHarness.StartAsync(services => services.AddSingleton<IPolicyBackend>(recorder));
        var definition = TinyCampaign.Small(Recipe.Intuitor) with { Iterations = 1 };

        var id = await harness.Service.StartAsync(definition, folder, "bpe-plane");
        var state = await harness.WaitForStateAsync(id, s => s.Status != CampaignStatus.Running || s.Failures().Any());

        Assert.Empty(state.Failures());
        var shards = new ShardStore(harness.Store);
        var scored = new List<Rollout>();
        for (int shard = 0; shard < definition.Shards; shard++)
            scored.AddRange(await shards.ReadAsync<Rollout>(CampaignKeys.ShardOutput(id, 1, CampaignStage.Scoring, shard)));

        // The premise: some sampled responses are not what their own text encodes to, so re-encoding would train on
        // token sequences the policy never sampled.
        Assert.Contains(scored, r => !encoding.Tokenizer.Encode(r.Response).SequenceEqual(r.Tokens.Stopped ? r.Tokens.Ids[..^1] : r.Tokens.Ids));

        // Scoring's signals are the sampler's own numbers.
        Assert.All(scored, r => Assert.Equal(r.Tokens.SelfCertainties.Average(v => (double)v), r.Scores[ScoreNames.SelfCertainty], 12));

        // Every sequence the update trained on is a sampled one, ids for ids, and every step drew from them.
        var sampled = scored.Select(r => Key(r.Tokens.Prompt, r.Tokens.Ids)).ToHashSet();
        Assert.NotEmpty(recorder.Trained);
        Assert.All(recorder.Trained, s => Assert.Contains(Key(s.Prompt, s.Response), sampled));
    }

    static string Key(int[] prompt, int[] response) => string.Join(',', prompt) + "|" + string.Join(',', response);

    /// <summary>A byte-level BPE tokenizer trained on arith text, and a tiny model given a little SFT on it, saved as an HF folder.</summary>
    static (string Folder, TaskEncoding Encoding) BytePairBase()
    {
        var task = TaskRegistry.Get("arith");
        var splits = task.Splits(1, new SplitSizes(SftPerDifficulty: 200, JudgePerDifficulty: 50));
        var tokenizer = BpeTrainer.Train(splits.Sft.SelectMany(p => new[] { p.Prompt, p.Solution }).Concat(splits.Judge.Select(j => j.Prompt + j.Verdict)), 320);
        var encoding = new TaskEncoding(tokenizer);
        var config = ModelConfig.Llama(tokenizer.VocabularySize, hiddenSize: 32, intermediateSize: 64, numLayers: 2, numHeads: 4, numKeyValueHeads: 4,
            tieWordEmbeddings: true, maxPositionEmbeddings: 256);
        var trainer = new PolicyTrainer(LlamaModel.Create(config, seed: 5), new TrainingOptions(new LearningRateSchedule(1e-2f, 10, 120, 1e-3f)) { MicroBatchSize = 16 }, seed: 5);
        var examples = splits.Sft.Select(p => new PromptResponse(encoding.Prompt(p.Prompt), encoding.Response(p.Solution))).ToList();
        for (int step = 0; step < 120; step++)
            SftUpdate.Step(trainer, examples.Skip(step * 16 % (examples.Count - 16)).Take(16).ToList());
        string folder = Path.Combine(Path.GetTempPath(), "bpe-base-" + Guid.NewGuid().ToString("N"));
        trainer.Model.Save(folder);
        tokenizer.Save(Path.Combine(folder, "tokenizer.json"));
        return (folder, encoding);
    }

    /// <summary>The managed backend, recording every (prompt, response) its trainers take a step on.</summary>
    sealed class RecordingBackend : IPolicyBackend
    {
        readonly ManagedPolicyBackend _inner = new();

        public List<PromptResponse> Trained { get; } = [];

        public string Name => _inner.Name;

        public IPolicy Load(string modelFolder) => _inner.Load(modelFolder);

        public IPolicyTrainer StartTraining(string modelFolder, TrainingOptions options, ulong seed) =>
            new RecordingTrainer(_inner.StartTraining(modelFolder, options, seed), Trained);

        public IPolicyTrainer ResumeTraining(string trainerFolder) => new RecordingTrainer(_inner.ResumeTraining(trainerFolder), Trained);
    }

    sealed class RecordingTrainer(IPolicyTrainer inner, List<PromptResponse> trained) : IPolicyTrainer
    {
        public IPolicy Policy => inner.Policy;

        public TrainingOptions Options => inner.Options;

        public long Step => inner.Step;

        public SeededRandom Random => inner.Random;

        public UpdateResult Apply(IReadOnlyList<SequenceBatch> passes, Func<int, float[][], TokenLoss> objective)
        {
            lock (trained) trained.AddRange(passes.SelectMany(p => p.Sequences));
            return inner.Apply(passes, objective);
        }

        public void Save(string directory) => inner.Save(directory);

        public void Dispose() => inner.Dispose();
    }
}
