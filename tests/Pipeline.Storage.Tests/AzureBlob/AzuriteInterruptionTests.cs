// Stops a test-owned Azurite in the middle of a multi-block checkpoint upload and starts it again on the same port,
// while a second client keeps listing and loading checkpoints. Whatever the outcome of the save, that reader must only
// ever see no checkpoint or a complete, verifiable one.
using Pipeline.Contracts;
using System.Collections.Concurrent;
using System.Diagnostics;
using Xunit.Abstractions;
using Pipeline.Storage.AzureBlob;
using Pipeline.Storage.Checkpoints;

namespace Pipeline.Storage.Tests.AzureBlob;

[Trait("Category", "Integration")]
public sealed class AzuriteInterruptionTests(ITestOutputHelper output) : IDisposable
{
    private const int BlockSize = 64 * 1024;
    private const int ModelBlocks = 24;
    private const int StopAfterBlocks = 10;
    private const string Prefix = "checkpoints/c1/iter-1/";
    private const string Container = "interrupted";

    private readonly string _work = Directory.CreateTempSubdirectory("pipeline-interruption-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task SaveAsync_AzuriteStoppedMidUploadAndRestartedWithItsData_CompletesThroughRetriesAndLoadsVerified()
    {
        // SIGTERM lets Azurite save its metadata, so the blocks staged before the stop survive the restart.
        var run = await RunInterruptedSaveAsync(persistent: true, graceful: true);

        Assert.Null(run.SaveError);
        Assert.NotNull(run.Saved);
        Assert.Equal([run.Saved], run.ListedAfterwards);
        CheckpointSource.AssertSameFiles(run.Source, run.LoadedAfterwards!);
    }

    [Fact]
    public async Task SaveAsync_InMemoryAzuriteKilledMidUploadAndRestartedEmpty_FailsClearlyAndShowsNoCheckpoint()
    {
        // SIGKILL of an in-memory Azurite loses everything, container included: the upload cannot be completed.
        var run = await RunInterruptedSaveAsync(persistent: false, graceful: false);

        var error = Assert.IsType<StorageException>(run.SaveError);
        Assert.Contains($"'{Prefix}model.safetensors'", error.Message);
        Assert.Contains("ContainerNotFound", error.Message);
        Assert.Empty(run.ListedAfterwards);
        Assert.Null(run.LoadedAfterwards);
    }

    private sealed record InterruptedRun(
        string Source, CheckpointReference? Saved, Exception? SaveError, IReadOnlyList<CheckpointReference> ListedAfterwards, string? LoadedAfterwards);

    private async Task<InterruptedRun> RunInterruptedSaveAsync(bool persistent, bool graceful)
    {
        var clock = Stopwatch.StartNew();
        await using var azurite = await AzuriteProcess.StartAsync(persistent);
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: Azurite up on port {azurite.Port}");
        var connection = BlobTestSettings.ConnectionStringForPort(azurite.Port);
        var source = CheckpointSource.Write(Path.Combine(_work, "source"), ModelBlocks * BlockSize + 321);

        // The writer's retry budget (about 17 s of backoff over 12 attempts) outlasts an Azurite restart (4-10 s on a busy machine).
        var writerOptions = BlobTestSettings.Options(connection, Container, BlockSize) with
        {
            MaxAttempts = 12,
            FirstRetryDelay = TimeSpan.FromMilliseconds(200),
            MaxRetryDelay = TimeSpan.FromSeconds(2),
            NetworkTimeout = TimeSpan.FromSeconds(5),
        };
        Task? restarted = null;
        var stops = 0;
        var writer = new CheckpointStore(new ObservedObjectStore(new AzureBlobObjectStore(writerOptions), (key, content) =>
            key != Prefix + "model.safetensors" ? content : new TripwireStream(content, StopAfterBlocks * BlockSize + 1, async () =>
            {
                Interlocked.Increment(ref stops);
                await azurite.StopAsync(graceful);
                output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: Azurite stopped after {StopAfterBlocks} blocks ({(graceful ? "SIGTERM" : "SIGKILL")})");
                restarted = azurite.StartAsync().ContinueWith(started =>
                {
                    output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: Azurite restarted");
                    return started;
                }).Unwrap();
            })));
        var reader = new CheckpointStore(new AzureBlobObjectStore(BlobTestSettings.Options(connection, Container, BlockSize)));

        using var stopReading = new CancellationTokenSource();
        var observations = new ConcurrentQueue<string>();
        var reading = Task.Run(() => ObserveAsync(reader, observations, stopReading.Token));

        CheckpointReference? saved = null;
        Exception? saveError = null;
        try
        {
            saved = await writer.SaveAsync(Prefix, source);
        }
        catch (Exception e)
        {
            saveError = e;
        }
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: save " + (saveError is null ? $"completed: {saved}" : $"failed: {saveError.Message}"));
        await (restarted ?? Task.CompletedTask);
        await Task.Delay(200);
        stopReading.Cancel();
        await reading;

        output.WriteLine("reader saw: " + string.Join(", ", observations.GroupBy(o => o).Select(g => $"{g.Key} x{g.Count()}")));
        Assert.Equal(1, stops);
        Assert.Contains("unavailable", observations);
        Assert.DoesNotContain(observations, observation => observation.StartsWith("REFUSED", StringComparison.Ordinal));

        // A fresh reader after the dust settles: a listed checkpoint must load verified; an unlisted one must not resolve.
        var listed = await reader.ListAsync("checkpoints/");
        string? loaded = null;
        if (listed.Count > 0)
        {
            loaded = Path.Combine(_work, "loaded-final");
            await reader.DownloadAsync(listed[0], loaded);
        }
        else
        {
            await Assert.ThrowsAsync<CheckpointNotFoundException>(() => reader.ResolveAsync(Prefix));
        }
        return new InterruptedRun(source, saved, saveError, listed, loaded);
    }

    /// <summary>Lists and loads every checkpoint again and again, recording what a reader could see.</summary>
    private async Task ObserveAsync(CheckpointStore reader, ConcurrentQueue<string> observations, CancellationToken stop)
    {
        var loads = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var listed = await reader.ListAsync("checkpoints/");
                if (listed.Count == 0) observations.Enqueue("none");
                foreach (var checkpoint in listed)
                {
                    await reader.DownloadAsync(checkpoint, Path.Combine(_work, $"observed-{loads++}"));
                    observations.Enqueue("complete");
                }
            }
            catch (Exception e) when (e is CheckpointCorruptException or CheckpointNotFoundException)
            {
                // A listed checkpoint that does not load verified is exactly what must never happen.
                observations.Enqueue("REFUSED: " + e.Message);
            }
            catch (StorageException)
            {
                observations.Enqueue("unavailable");
            }
            await Task.Delay(50, CancellationToken.None);
        }
    }

    /// <summary>Passes reads through and, once <paramref name="tripAfter"/> bytes have been read, runs <paramref name="trip"/> once.</summary>
    private sealed class TripwireStream(Stream inner, long tripAfter, Func<Task> trip) : Stream
    {
        private long _read;
        private bool _tripped;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => _read;
            set => throw new NotSupportedException();
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            _read += read;
            if (!_tripped && _read >= tripAfter)
            {
                _tripped = true;
                await trip();
            }
            return read;
        }

        public override int Read(byte[] buffer, int offset, int count) =>
            ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
