// Loading policies by reference: references from messages validated, the shared in-memory copy (one
// load for concurrent first users), and private copies for training.
using Pipeline.Contracts;
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Work;
using Pipeline.Storage.Checkpoints;
using Pipeline.Storage.Tests;

namespace Pipeline.Stages.Tests.Work;

public sealed class PolicyLoaderTests
{
    [Fact]
    public async Task FolderAsync_MalformedHashFromAMessage_RefusedBeforeAnyFileAccess()
    {
        using var campaign = await TinyCampaign.CreateAsync(TinyCampaign.Small(Recipe.Intuitor));

        var error = await Assert.ThrowsAsync<ArgumentException>(() => campaign.Policies.FolderAsync(new CheckpointReference("checkpoints/tiny/iter-0/", "../x")));

        Assert.Equal("manifestSha256", error.ParamName);
    }

    [Fact]
    public async Task UseAsync_TwoCalls_ShareOneModelWhileLoadCopyDoesNot()
    {
        using var campaign = await TinyCampaign.CreateAsync(TinyCampaign.Small(Recipe.Intuitor));

        var first = await campaign.Policies.UseAsync(campaign.Base, p => p.Model);
        var second = await campaign.Policies.UseAsync(campaign.Base, p => p.Model);
        var copy = await campaign.Policies.LoadCopyAsync(campaign.Base);

        Assert.Same(first, second);
        Assert.NotSame(first, copy.Model);
        Assert.True(first.Weights().SequenceEqual(copy.Model.Weights()));
        Assert.Equal(campaign.Base, copy.Reference);
    }

    [Fact]
    public async Task UseAsync_NamedBackend_LoadsThroughItAndKeepsItsOwnModel()
    {
        using var campaign = await TinyCampaign.CreateAsync(TinyCampaign.Small(Recipe.Intuitor));
        var other = new CountingBackend("torch");
        var loader = new PolicyLoader(campaign.Policies.Store, Path.Combine(campaign.Root, "cache-backends"), backends: [other]);

        var managed = await loader.UseAsync(campaign.Base, p => p.Model);
        var named = await loader.UseAsync(campaign.Base, "torch", p => p.Model);
        var again = await loader.UseAsync(campaign.Base, "torch", p => p.Model);

        Assert.Equal(1, other.Loads);
        Assert.Same(named, again);
        Assert.NotSame(managed, named);
        Assert.Same(other, loader.BackendFor("torch"));
        Assert.Same(loader.Backend, loader.BackendFor(null));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => loader.UseAsync(campaign.Base, "gpu", p => p.Model));
        Assert.Contains("'gpu'", error.Message);
    }

    [Fact]
    public async Task UseAsync_MoreModelsThanCapacity_EvictedModelIsDisposedAndReloadedOnUse()
    {
        using var campaign = await TinyCampaign.CreateAsync(TinyCampaign.Small(Recipe.Intuitor));
        var backend = new CountingBackend("managed");
        var loader = new PolicyLoader(campaign.Policies.Store, Path.Combine(campaign.Root, "cache-evict"), capacity: 1, backend: backend,
            backends: [new CountingBackend("torch")]);

        var first = await loader.UseAsync(campaign.Base, p => p.Model);
        var other = await loader.UseAsync(campaign.Base, "torch", p => p.Model);
        await Task.Delay(50);
        var again = await loader.UseAsync(campaign.Base, p => p.Model);

        Assert.Equal(1, backend.Disposed);
        Assert.NotSame(first, again);
        Assert.Equal(2, backend.Loads);
        Assert.NotSame(first, other);
    }

    /// <summary>The managed engine under another name, counting its loads and the disposals of what it loaded.</summary>
    private sealed class CountingBackend(string name) : Pipeline.Learning.Policies.IPolicyBackend
    {
        private readonly Pipeline.Learning.Policies.ManagedPolicyBackend _inner = new();

        public int Loads { get; private set; }

        public int Disposed;

        public string Name => name;

        public Pipeline.Learning.Policies.IPolicy Load(string modelFolder)
        {
            Loads++;
            return new Counted(_inner.Load(modelFolder), this);
        }

        private sealed class Counted(Pipeline.Learning.Policies.IPolicy inner, CountingBackend owner) : Pipeline.Learning.Policies.IPolicy
        {
            public Pipeline.Engine.Model.ModelConfig Config => inner.Config;

            public IReadOnlyList<Pipeline.Engine.Sampling.GeneratedSequence> Generate(IReadOnlyList<int[]> prompts,
                Pipeline.Engine.Sampling.SamplingOptions options, long firstSequenceIndex = 0) => inner.Generate(prompts, options, firstSequenceIndex);

            public Pipeline.Engine.Sampling.TokenStatistics[][] Statistics(IReadOnlyList<Pipeline.Learning.Updates.PromptResponse> sequences,
                float temperature, int microBatchSize) => inner.Statistics(sequences, temperature, microBatchSize);

            public float[][] LogProbs(IReadOnlyList<Pipeline.Learning.Updates.PromptResponse> sequences, int microBatchSize) =>
                inner.LogProbs(sequences, microBatchSize);

            public void Save(string folder) => inner.Save(folder);

            public void Dispose()
            {
                Interlocked.Increment(ref owner.Disposed);
                inner.Dispose();
            }
        }

        public Pipeline.Learning.Policies.IPolicyTrainer StartTraining(string modelFolder, Pipeline.Learning.Updates.TrainingOptions options, ulong seed) =>
            _inner.StartTraining(modelFolder, options, seed);

        public Pipeline.Learning.Policies.IPolicyTrainer ResumeTraining(string trainerFolder) => _inner.ResumeTraining(trainerFolder);
    }

    [Fact]
    public async Task UseAsync_ConcurrentFirstUsers_ReadTheCheckpointOnceAndShareOneModel()
    {
        using var campaign = await TinyCampaign.CreateAsync(TinyCampaign.Small(Recipe.Intuitor));
        var observed = new ObservedObjectStore(campaign.Store);
        var loader = new PolicyLoader(new CheckpointStore(observed), Path.Combine(campaign.Root, "cache-concurrent"));

        // All started before any is awaited, so every one of them is a first user of the policy.
        var users = Enumerable.Range(0, 4).Select(_ => loader.UseAsync(campaign.Base, p => p.Model)).ToList();
        var models = await Task.WhenAll(users);

        Assert.All(models, model => Assert.Same(models[0], model));
        Assert.Contains(campaign.Base.Prefix + CheckpointStore.ManifestName, observed.ReadKeys);
        Assert.All(observed.ReadKeys.GroupBy(key => key), reads => Assert.Single(reads));
    }

    [Fact]
    public async Task UseAsync_FirstLoadFailed_RetryLoadsAgain()
    {
        using var campaign = await TinyCampaign.CreateAsync(TinyCampaign.Small(Recipe.Intuitor));
        var loader = campaign.NewLoader();
        string manifest = campaign.Base.Prefix + CheckpointStore.ManifestName;
        using var saved = new MemoryStream();
        await using (var stream = await campaign.Store.OpenReadAsync(manifest)) await stream.CopyToAsync(saved);
        await campaign.Store.DeleteAsync(manifest);
        await Assert.ThrowsAsync<CheckpointNotFoundException>(() => loader.UseAsync(campaign.Base, p => p.Reference));

        saved.Position = 0;
        await campaign.Store.PutAsync(manifest, saved);
        var loaded = await loader.UseAsync(campaign.Base, p => p.Reference);

        Assert.Equal(campaign.Base, loaded);
    }

    [Fact]
    public async Task UseAsync_Work_RunsOnAThreadOutsideThePool()
    {
        using var campaign = await TinyCampaign.CreateAsync(TinyCampaign.Small(Recipe.Intuitor));

        var onPool = await campaign.Policies.UseAsync(campaign.Base, _ => Thread.CurrentThread.IsThreadPoolThread);

        Assert.False(onPool);
    }

    [Fact]
    public async Task UseAsync_UnknownCheckpoint_ThrowsNotFound()
    {
        using var campaign = await TinyCampaign.CreateAsync(TinyCampaign.Small(Recipe.Intuitor));
        var missing = new CheckpointReference(CampaignKeys.Policy("tiny", 5), new string('1', 64));

        await Assert.ThrowsAsync<CheckpointNotFoundException>(() => campaign.Policies.UseAsync(missing, p => p.Model));
    }
}
