// Turns a checkpoint reference from a message into a loaded model: the files come through the local CheckpointCache
// (one verified folder per manifest hash), and the last few loaded models stay in memory, since every shard of an
// iteration uses the same starting policy. Shards of one iteration arrive together, so concurrent first users of a policy
// share one download and one load instead of each reading the store and loading a copy. Also the one place that converts between the message record
// (Contracts.CheckpointReference) and the storage record (Storage.Checkpoints.CheckpointRef).
using Pipeline.Contracts;
using Pipeline.Engine.Tokenization;
using Pipeline.Learning.Policies;
using Pipeline.Learning.Tasks;
using Pipeline.Storage.Checkpoints;

namespace Pipeline.Stages.Work;

/// <summary>Loads policy checkpoints, caching their files on disk and the last few models in memory.</summary>
public sealed class PolicyLoader
{
    /// <summary>File name of the tokenizer in a policy folder.</summary>
    public const string TokenizerFileName = "tokenizer.json";

    private readonly CheckpointStore _store;
    private readonly IPolicyBackend _backend;
    private readonly CheckpointCache _cache;
    private readonly int _capacity;
    private readonly Lock _lock = new();
    private readonly LinkedList<Entry> _recent = new();
    // Loads in flight by manifest hash, guarded by _lock; an entry leaves when its load ends, so a failed load can be retried.
    private readonly Dictionary<string, Lazy<Task<Entry>>> _loading = new(StringComparer.Ordinal);

    /// <summary>
    /// A loader over <paramref name="store"/> caching files in <paramref name="cacheDirectory"/> (configuration
    /// <c>Stages:CacheDirectory</c>; default <see cref="DefaultCacheDirectory"/>) and keeping <paramref name="capacity"/> models in memory.
    /// </summary>
    public PolicyLoader(CheckpointStore store, string? cacheDirectory = null, int capacity = 2, IPolicyBackend? backend = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _backend = backend ?? new ManagedPolicyBackend();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _store = store;
        _cache = new CheckpointCache(store, cacheDirectory ?? DefaultCacheDirectory);
        _capacity = capacity;
    }

    /// <summary>The default file cache: <c>pipeline-checkpoints</c> under the temp folder.</summary>
    public static string DefaultCacheDirectory => Path.Combine(Path.GetTempPath(), "pipeline-checkpoints");

    /// <summary>The backend models are loaded and trained with.</summary>
    public IPolicyBackend Backend => _backend;

    /// <summary>The checkpoint store the loader reads from.</summary>
    public CheckpointStore Store => _store;

    /// <summary>The storage reference of a message's checkpoint reference (validated).</summary>
    public static CheckpointRef ToStorage(CheckpointReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return new CheckpointRef(reference.Prefix, reference.ManifestSha256);
    }

    /// <summary>The message form of a storage reference.</summary>
    public static CheckpointReference ToContract(CheckpointRef reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return new CheckpointReference(reference.Prefix, reference.ManifestSha256);
    }

    /// <summary>The local folder holding the verified files of <paramref name="reference"/>, downloading them on first use.</summary>
    public Task<string> FolderAsync(CheckpointReference reference, CancellationToken cancellationToken = default) =>
        _cache.GetAsync(ToStorage(reference), cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> on the shared in-memory copy of the policy, one caller at a time per policy (the
    /// model's buffers are not thread-safe), on a thread of its own rather than the caller's. The work must not change the
    /// weights; use <see cref="LoadCopyAsync"/> to train.
    /// </summary>
    public async Task<T> UseAsync<T>(CheckpointReference reference, Func<LoadedPolicy, T> work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        var entry = await EntryAsync(reference, cancellationToken);
        await entry.Gate.WaitAsync(cancellationToken);
        try
        {
            return await CpuWork.RunAsync(() => work(entry.Policy), cancellationToken);
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    /// <summary>A private copy of the policy (never shared), e.g. to train or to serve as a frozen reference during training.</summary>
    public async Task<LoadedPolicy> LoadCopyAsync(CheckpointReference reference, CancellationToken cancellationToken = default) =>
        LoadFolder(_backend, await FolderAsync(reference, cancellationToken), reference);

    /// <summary>Loads a policy folder (config.json, model.safetensors, tokenizer.json) as <paramref name="reference"/>.</summary>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    public static LoadedPolicy LoadFolder(IPolicyBackend backend, string folder, CheckpointReference reference)
    {
        string tokenizerPath = Path.Combine(folder, TokenizerFileName);
        if (!File.Exists(tokenizerPath)) throw new FileNotFoundException($"Policy folder '{folder}' has no {TokenizerFileName}.", tokenizerPath);
        ArgumentNullException.ThrowIfNull(backend);
        var model = backend.Load(folder);
        var encoding = new TaskEncoding(BpeTokenizer.Load(tokenizerPath));
        return new LoadedPolicy(reference, folder, model, encoding);
    }

    private async Task<Entry> EntryAsync(CheckpointReference reference, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reference);
        Lazy<Task<Entry>> load;
        lock (_lock)
        {
            for (var node = _recent.First; node is not null; node = node.Next)
            {
                if (node.Value.Policy.Reference.ManifestSha256 != reference.ManifestSha256) continue;
                _recent.Remove(node);
                _recent.AddFirst(node);
                return node.Value;
            }
            if (!_loading.TryGetValue(reference.ManifestSha256, out var pending))
                _loading[reference.ManifestSha256] = pending = new Lazy<Task<Entry>>(() => LoadEntryAsync(reference));
            load = pending;
        }
        // The shared load runs without any one caller's token (a caller giving up must not fail the others); each caller
        // stops waiting on its own token instead.
        return await load.Value.WaitAsync(cancellationToken);
    }

    private async Task<Entry> LoadEntryAsync(CheckpointReference reference)
    {
        try
        {
            var entry = new Entry(LoadFolder(_backend, await FolderAsync(reference, CancellationToken.None), reference));
            lock (_lock)
            {
                _recent.AddFirst(entry);
                while (_recent.Count > _capacity) _recent.RemoveLast();
                _loading.Remove(reference.ManifestSha256);
            }
            return entry;
        }
        catch
        {
            lock (_lock) _loading.Remove(reference.ManifestSha256);
            throw;
        }
    }

    private sealed class Entry(LoadedPolicy policy)
    {
        public LoadedPolicy Policy { get; } = policy;

        public SemaphoreSlim Gate { get; } = new(1, 1);
    }
}
