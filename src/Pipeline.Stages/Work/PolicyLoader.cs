// Turns a checkpoint reference from a message into a loaded model: the files come through the local CheckpointCache
// (one verified folder per manifest hash), and the last few loaded models stay in memory, since every shard of an
// iteration uses the same starting policy. Shards of one iteration arrive together, so concurrent first users of a policy
// share one download and one load instead of each reading the store and loading a copy. Models are loaded by the backend
// each campaign names (managed, torch): the host's default and the others it registered.
using Pipeline.Contracts;
using Pipeline.Engine.Tokenization;
using Pipeline.Learning.Policies;
using Pipeline.Learning.Tasks;
using Pipeline.Storage.Checkpoints;

namespace Pipeline.Stages.Work;

/// <summary>Loads policy checkpoints, caching their files on disk and the last few models in memory.</summary>
internal sealed class PolicyLoader
{
    /// <summary>File name of the tokenizer in a policy folder.</summary>
    public const string TokenizerFileName = "tokenizer.json";

    private readonly CheckpointStore _store;
    private readonly Dictionary<string, IPolicyBackend> _backends = new(StringComparer.Ordinal);
    private readonly CheckpointCache _cache;
    private readonly int _capacity;
    private readonly Lock _lock = new();
    private readonly LinkedList<Entry> _recent = new();
    // Loads in flight by manifest hash, guarded by _lock; an entry leaves when its load ends, so a failed load can be retried.
    private readonly Dictionary<string, Lazy<Task<Entry>>> _loading = new(StringComparer.Ordinal);

    /// <summary>
    /// A loader over <paramref name="store"/> caching files in <paramref name="cacheDirectory"/> (configuration
    /// <c>Stages:CacheDirectory</c>; default <see cref="DefaultCacheDirectory"/>) and keeping <paramref name="capacity"/> models in memory.
    /// <paramref name="backend"/> is the default backend (managed when null); <paramref name="backends"/> adds the others
    /// campaigns may name. The managed engine can always be named, since campaigns name it by default.
    /// </summary>
    public PolicyLoader(CheckpointStore store, string? cacheDirectory = null, int capacity = 2, IPolicyBackend? backend = null,
        IEnumerable<IPolicyBackend>? backends = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        Backend = backend ?? new ManagedPolicyBackend();
        foreach (var b in (backends ?? []).Prepend(Backend))
            _backends.TryAdd(b.Name, b);
        _backends.TryAdd(ManagedPolicyBackend.BackendName, new ManagedPolicyBackend());
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _store = store;
        _cache = new CheckpointCache(store, cacheDirectory ?? DefaultCacheDirectory);
        _capacity = capacity;
    }

    /// <summary>The default file cache: <c>pipeline-checkpoints</c> under the temp folder.</summary>
    public static string DefaultCacheDirectory => Path.Combine(Path.GetTempPath(), "pipeline-checkpoints");

    /// <summary>The default backend (managed unless the host chose another).</summary>
    public IPolicyBackend Backend { get; }

    /// <summary>The backend called <paramref name="name"/> (a campaign's <c>backend</c>; null or empty: the default).</summary>
    /// <exception cref="InvalidOperationException">This worker has no such backend.</exception>
    public IPolicyBackend BackendFor(string? name) =>
        string.IsNullOrEmpty(name) ? Backend
        : _backends.TryGetValue(name, out var backend) ? backend
        : throw new InvalidOperationException(
            $"This worker has no policy backend '{name}' (it has {string.Join(", ", _backends.Keys.Order(StringComparer.Ordinal))}).");

    /// <summary>The checkpoint store the loader reads from.</summary>
    public CheckpointStore Store => _store;

    /// <summary>The local folder holding the verified files of <paramref name="reference"/>, downloading them on first use.</summary>
    public Task<string> FolderAsync(CheckpointReference reference, CancellationToken cancellationToken = default) =>
        _cache.GetAsync(reference, cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> on the shared in-memory copy of the policy, one caller at a time per policy (the
    /// model's buffers are not thread-safe), on a thread of its own rather than the caller's. The work must not change the
    /// weights; use <see cref="LoadCopyAsync"/> to train.
    /// </summary>
    public Task<T> UseAsync<T>(CheckpointReference reference, Func<LoadedPolicy, T> work, CancellationToken cancellationToken = default) =>
        UseAsync(reference, null, work, cancellationToken);

    /// <summary>As <see cref="UseAsync{T}(CheckpointReference, Func{LoadedPolicy, T}, CancellationToken)"/>, on the backend named <paramref name="backend"/>.</summary>
    public async Task<T> UseAsync<T>(CheckpointReference reference, string? backend, Func<LoadedPolicy, T> work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        var chosen = BackendFor(backend);
        while (true)
        {
            var entry = await EntryAsync(reference, chosen, cancellationToken);
            await entry.Gate.WaitAsync(cancellationToken);
            try
            {
                // Evicted (and disposed) between the lookup and the gate: look it up again, which loads it anew.
                if (entry.Retired) continue;
                return await CpuWork.RunAsync(() => work(entry.Policy), cancellationToken);
            }
            finally
            {
                entry.Gate.Release();
            }
        }
    }

    /// <summary>A private copy of the policy (never shared), e.g. to train or to serve as a frozen reference during training.</summary>
    public async Task<LoadedPolicy> LoadCopyAsync(CheckpointReference reference, CancellationToken cancellationToken = default, string? backend = null) =>
        LoadFolder(BackendFor(backend), await FolderAsync(reference, cancellationToken), reference);

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

    private async Task<Entry> EntryAsync(CheckpointReference reference, IPolicyBackend backend, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reference);
        Lazy<Task<Entry>> load;
        // One model per checkpoint and backend: a campaign on another backend never shares a loaded model.
        string key = Key(reference, backend);
        lock (_lock)
        {
            for (var node = _recent.First; node is not null; node = node.Next)
            {
                if (Key(node.Value.Policy.Reference, node.Value.Backend) != key) continue;
                _recent.Remove(node);
                _recent.AddFirst(node);
                return node.Value;
            }
            if (!_loading.TryGetValue(key, out var pending))
                _loading[key] = pending = new Lazy<Task<Entry>>(() => LoadEntryAsync(reference, backend));
            load = pending;
        }
        // The shared load runs without any one caller's token (a caller giving up must not fail the others); each caller
        // stops waiting on its own token instead.
        return await load.Value.WaitAsync(cancellationToken);
    }

    private async Task<Entry> LoadEntryAsync(CheckpointReference reference, IPolicyBackend backend)
    {
        string key = Key(reference, backend);
        try
        {
            var entry = new Entry(LoadFolder(backend, await FolderAsync(reference, CancellationToken.None), reference), backend);
            lock (_lock)
            {
                _recent.AddFirst(entry);
                while (_recent.Count > _capacity)
                {
                    _ = RetireAsync(_recent.Last!.Value);
                    _recent.RemoveLast();
                }
                _loading.Remove(key);
            }
            return entry;
        }
        catch
        {
            lock (_lock) _loading.Remove(key);
            throw;
        }
    }

    private static string Key(CheckpointReference reference, IPolicyBackend backend) => reference.ManifestSha256 + "/" + backend.Name;

    /// <summary>
    /// Disposes an evicted model once no caller holds it: a libtorch model holds native (possibly GPU) memory that the
    /// garbage collector would return only whenever it happens to finalize the tensors.
    /// </summary>
    private static async Task RetireAsync(Entry entry)
    {
        await entry.Gate.WaitAsync();
        try
        {
            entry.Retired = true;
            entry.Policy.Model.Dispose();
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    private sealed class Entry(LoadedPolicy policy, IPolicyBackend backend)
    {
        /// <summary>Set (under the gate) when the entry was evicted and its model disposed.</summary>
        public bool Retired { get; set; }

        public LoadedPolicy Policy { get; } = policy;

        public IPolicyBackend Backend { get; } = backend;

        public SemaphoreSlim Gate { get; } = new(1, 1);
    }
}
