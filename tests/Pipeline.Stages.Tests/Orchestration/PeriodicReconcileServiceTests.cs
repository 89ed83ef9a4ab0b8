// The periodic reconcile's resilience: a store that times out (which the Azure SDK reports as a cancellation the caller
// never asked for) is logged and skipped, while a real stop still ends the pass.
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Consumers;
using Pipeline.Stages.Hosting;
using Pipeline.Stages.Orchestration;
using Pipeline.Stages.Work;
using Pipeline.Storage;
using Pipeline.Storage.Checkpoints;

namespace Pipeline.Stages.Tests.Orchestration;

public sealed class PeriodicReconcileServiceTests
{
    [Fact]
    public async Task ReconcileRunningAsync_ListTimesOut_LogsAndReturns()
    {
        var store = new TimingOutStore(listTimesOut: true);

        await Service(store).ReconcileRunningAsync(CancellationToken.None);

        Assert.Equal(1, store.Lists);
    }

    [Fact]
    public async Task ReconcileRunningAsync_StateReadTimesOut_SkipsTheCampaign()
    {
        var store = new TimingOutStore(listTimesOut: false);

        await Service(store).ReconcileRunningAsync(CancellationToken.None);

        Assert.Equal(1, store.DocumentReads);
    }

    [Fact]
    public async Task ReconcileRunningAsync_Stopped_Throws()
    {
        using var stopped = new CancellationTokenSource();
        await stopped.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => Service(new TimingOutStore(listTimesOut: true)).ReconcileRunningAsync(stopped.Token));
    }

    static PeriodicReconcileService Service(IObjectStore store)
    {
        var states = new CampaignStateStore(store);
        var reconciler = new CampaignReconciler(store, new CheckpointStore(store), states, new ShardStore(store), new CampaignDefinitionCache(store));
        // The bus is never reached: every pass here ends at the store.
        return new PeriodicReconcileService(states, reconciler, bus: null!, new StageOptions(), NullLogger<PeriodicReconcileService>.Instance);
    }

    /// <summary>
    /// Lists one campaign with a state and times out on listing or on reading it, the way a network timeout surfaces;
    /// refuses to list keys, which a pass over the campaigns has no need for.
    /// </summary>
    sealed class TimingOutStore(bool listTimesOut) : IObjectStore
    {
        public int Lists { get; private set; }

        public int DocumentReads { get; private set; }

        public Task<IReadOnlyList<string>> ListFoldersAsync(string prefix, CancellationToken cancellationToken = default)
        {
            Lists++;
            if (listTimesOut || cancellationToken.IsCancellationRequested)
                throw new TaskCanceledException("The operation was cancelled because it exceeded the configured timeout.");
            return Task.FromResult<IReadOnlyList<string>>([CampaignKeys.CampaignPrefix("timing-out")]);
        }

        public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => Task.FromResult(true);

        public Task<VersionedDocument?> ReadDocumentAsync(string key, CancellationToken cancellationToken = default)
        {
            DocumentReads++;
            throw new TaskCanceledException("The operation was cancelled because it exceeded the configured timeout.");
        }

        public Task PutAsync(string key, Stream content, PutMode mode = PutMode.Overwrite, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<string> WriteDocumentAsync(string key, ReadOnlyMemory<byte> content, string? ifMatch, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();
    }
}
