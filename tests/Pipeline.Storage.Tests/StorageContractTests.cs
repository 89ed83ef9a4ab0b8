// The one contract every IObjectStore must meet, object operations and checkpoints alike. Each implementation's test
// class derives from this and supplies a fresh, real store (a temp folder, or a unique container on Azurite) per test.
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Pipeline.Storage.Checkpoints;

namespace Pipeline.Storage.Tests;

public abstract class StorageContractTests : IAsyncLifetime
{
    /// <summary>Block size the stores under test use, small so that multi-block uploads stay fast.</summary>
    protected const int TestBlockSize = 64 * 1024;

    private readonly string _work = Directory.CreateTempSubdirectory("pipeline-storage-tests-").FullName;

    protected IObjectStore Store { get; private set; } = null!;

    /// <summary>
    /// Rounds of the concurrent-writer tests. A lost race shows only when two writers meet inside a window of microseconds,
    /// so a store whose rounds are cheap runs many of them.
    /// </summary>
    protected virtual int ConcurrentRounds => 15;

    protected abstract Task<IObjectStore> CreateStoreAsync();

    protected abstract Task DeleteStoreAsync();

    public async Task InitializeAsync() => Store = await CreateStoreAsync();

    public async Task DisposeAsync()
    {
        await DeleteStoreAsync();
        Directory.Delete(_work, recursive: true);
    }

    // ---- objects ----

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1000)]
    [InlineData(TestBlockSize)]
    [InlineData(3 * TestBlockSize + 123)]
    public async Task PutAsync_ThenOpenRead_ReturnsSameBytes(int size)
    {
        var content = RandomBytes(size);
        await Store.PutAsync("objects/round-trip.bin", new MemoryStream(content));

        Assert.Equal(content, await ReadAllAsync("objects/round-trip.bin"));
    }

    [Fact]
    public async Task PutAsync_NonSeekableSourceLargerThanBlock_StoresWholeStream()
    {
        var content = RandomBytes(2 * TestBlockSize + 7);
        await Store.PutAsync("objects/piped.bin", new ForwardOnlyStream(content));

        Assert.Equal(content, await ReadAllAsync("objects/piped.bin"));
    }

    [Fact]
    public async Task PutAsync_SourceBreaksMidway_PropagatesSourceErrorAndKeepsPreviousVersion()
    {
        await Store.PutAsync("objects/a.bin", Utf8("previous"));

        var error = await Assert.ThrowsAsync<IOException>(
            () => Store.PutAsync("objects/a.bin", new ForwardOnlyStream(RandomBytes(3 * TestBlockSize), failAfter: 2 * TestBlockSize + 5)));

        Assert.Equal("source broke", error.Message);
        Assert.Equal("previous", Encoding.UTF8.GetString(await ReadAllAsync("objects/a.bin")));
        Assert.Equal(["objects/a.bin"], await Store.ListAsync(""));
    }

    [Fact]
    public async Task PutAsync_Overwrite_ReplacesContent()
    {
        await Store.PutAsync("objects/a.txt", Utf8("first"));
        await Store.PutAsync("objects/a.txt", Utf8("second, longer"));

        Assert.Equal("second, longer", Encoding.UTF8.GetString(await ReadAllAsync("objects/a.txt")));
    }

    [Fact]
    public async Task PutAsync_CreateOnlyOnExistingKey_ThrowsAndKeepsOriginal()
    {
        await Store.PutAsync("shards/shard-0.jsonl", Utf8("original"), PutMode.CreateOnly);

        var error = await Assert.ThrowsAsync<ObjectAlreadyExistsException>(
            () => Store.PutAsync("shards/shard-0.jsonl", Utf8("replacement"), PutMode.CreateOnly));

        Assert.Equal("shards/shard-0.jsonl", error.Key);
        Assert.Contains("shards/shard-0.jsonl", error.Message);
        Assert.Equal("original", Encoding.UTF8.GetString(await ReadAllAsync("shards/shard-0.jsonl")));
    }

    [Fact]
    public async Task PutAsync_ConcurrentCreateOnly_ExactlyOneWinsEachRound()
    {
        const int writers = 6;
        for (var round = 0; round < ConcurrentRounds; round++)
        {
            var key = $"shards/round-{round}.jsonl";
            // Multi-block contents: on Azure the first commit discards the other writers' staged blocks mid-race.
            var contents = Enumerable.Range(0, writers).Select(writer => RandomBytes(2 * TestBlockSize + writer)).ToArray();
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var attempts = Enumerable.Range(0, writers).Select(writer => Task.Run(async () =>
            {
                await start.Task;
                try
                {
                    await Store.PutAsync(key, new MemoryStream(contents[writer]), PutMode.CreateOnly);
                    return writer;
                }
                catch (ObjectAlreadyExistsException)
                {
                    return -1;
                }
            })).ToArray();
            start.SetResult();
            var winners = (await Task.WhenAll(attempts)).Where(writer => writer >= 0).ToList();

            var winner = Assert.Single(winners);
            Assert.Equal(contents[winner], await ReadAllAsync(key));
        }
    }

    [Fact]
    public async Task OpenReadAsync_MissingKey_ThrowsObjectNotFoundNamingKey()
    {
        var error = await Assert.ThrowsAsync<ObjectNotFoundException>(() => Store.OpenReadAsync("objects/absent.bin"));

        Assert.Contains("objects/absent.bin", error.Message);
    }

    [Fact]
    public async Task ExistsAsync_BeforeAndAfterPut_ReflectsPresence()
    {
        Assert.False(await Store.ExistsAsync("objects/x.bin"));
        await Store.PutAsync("objects/x.bin", Utf8("x"));
        Assert.True(await Store.ExistsAsync("objects/x.bin"));
    }

    [Fact]
    public async Task ListAsync_ByPrefix_ReturnsOnlyMatchingKeysInOrdinalOrder()
    {
        foreach (var key in new[] { "campaigns/c1/state.json", "campaigns/c1/iter-1/generate/shard-1.jsonl",
                     "campaigns/c1/iter-1/generate/shard-0.jsonl", "campaigns/c10/state.json", "checkpoints/c1/iter-1/model.safetensors" })
            await Store.PutAsync(key, Utf8(key));

        Assert.Equal(["campaigns/c1/iter-1/generate/shard-0.jsonl", "campaigns/c1/iter-1/generate/shard-1.jsonl", "campaigns/c1/state.json"],
            await Store.ListAsync("campaigns/c1/"));
        Assert.Equal(["campaigns/c1/iter-1/generate/shard-0.jsonl", "campaigns/c1/iter-1/generate/shard-1.jsonl",
                "campaigns/c1/state.json", "campaigns/c10/state.json"],
            await Store.ListAsync("campaigns/c1"));
        Assert.Equal(["campaigns/c1/iter-1/generate/shard-0.jsonl", "campaigns/c1/iter-1/generate/shard-1.jsonl"],
            await Store.ListAsync("campaigns/c1/iter-1/generate/shard-"));
        Assert.Equal(5, (await Store.ListAsync("")).Count);
        Assert.Empty(await Store.ListAsync("nothing/here/"));
    }

    [Fact]
    public async Task ListFoldersAsync_ByPrefix_ReturnsEachNonEmptyFolderOnceInOrdinalOrder()
    {
        foreach (var key in new[] { "campaigns/c1/state.json", "campaigns/c1/iter-1/generate/shard-0.jsonl", "campaigns/c10/state.json",
                     "campaigns/c2/iter-1/generate/shard-0.jsonl", "campaigns/top.json", "checkpoints/c1/iter-1/model.safetensors" })
            await Store.PutAsync(key, Utf8(key));
        await Store.PutAsync("campaigns/gone/iter-1/state.json", Utf8("gone"));
        await Store.DeleteAsync("campaigns/gone/iter-1/state.json");

        Assert.Equal(["campaigns/c1/", "campaigns/c10/", "campaigns/c2/"], await Store.ListFoldersAsync("campaigns/"));
        Assert.Equal(["campaigns/c1/", "campaigns/c10/"], await Store.ListFoldersAsync("campaigns/c1"));
        Assert.Equal(["campaigns/c1/iter-1/"], await Store.ListFoldersAsync("campaigns/c1/"));
        Assert.Equal(["campaigns/", "checkpoints/"], await Store.ListFoldersAsync(""));
        Assert.Empty(await Store.ListFoldersAsync("campaigns/c1/iter-1/generate/"));
        Assert.Empty(await Store.ListFoldersAsync("nothing/here/"));
    }

    [Fact]
    public async Task DeleteAsync_ExistingThenMissing_ReturnsTrueThenFalse()
    {
        await Store.PutAsync("objects/d.bin", Utf8("d"));

        Assert.True(await Store.DeleteAsync("objects/d.bin"));
        Assert.False(await Store.DeleteAsync("objects/d.bin"));
        Assert.False(await Store.ExistsAsync("objects/d.bin"));
    }

    [Theory]
    [InlineData("../escape.txt")]
    [InlineData("a//b.txt")]
    [InlineData(".pipeline/tmp/x")]
    [InlineData("a/./b.txt")]
    [InlineData("a\\b.txt")]
    [InlineData("trailing/")]
    [InlineData("")]
    public async Task PutAsync_InvalidKey_ThrowsArgumentException(string key)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.PutAsync(key, Utf8("x")));
    }

    // ---- documents ----

    [Fact]
    public async Task ReadDocumentAsync_Missing_ReturnsNull()
    {
        Assert.Null(await Store.ReadDocumentAsync("campaigns/c1/state.json"));
    }

    [Fact]
    public async Task WriteDocumentAsync_CreateOnlyTwice_SecondConflicts()
    {
        var tag = await Store.WriteDocumentAsync("campaigns/c1/state.json", Encoding.UTF8.GetBytes("{\"iteration\":0}"), ifMatch: null);

        var error = await Assert.ThrowsAsync<ConcurrencyConflictException>(
            () => Store.WriteDocumentAsync("campaigns/c1/state.json", Encoding.UTF8.GetBytes("{\"iteration\":9}"), ifMatch: null));

        Assert.Contains("campaigns/c1/state.json", error.Message);
        var current = await Store.ReadDocumentAsync("campaigns/c1/state.json");
        Assert.NotNull(current);
        Assert.Equal("{\"iteration\":0}", Encoding.UTF8.GetString(current.Content));
        Assert.Equal(tag, current.ETag);
    }

    [Fact]
    public async Task WriteDocumentAsync_CurrentTagSucceedsStaleTagConflicts()
    {
        const string key = "campaigns/c1/state.json";
        var first = await Store.WriteDocumentAsync(key, Encoding.UTF8.GetBytes("{\"iteration\":0}"), ifMatch: null);
        var second = await Store.WriteDocumentAsync(key, Encoding.UTF8.GetBytes("{\"iteration\":1}"), ifMatch: first);

        Assert.NotEqual(first, second);
        await Assert.ThrowsAsync<ConcurrencyConflictException>(
            () => Store.WriteDocumentAsync(key, Encoding.UTF8.GetBytes("{\"iteration\":2}"), ifMatch: first));
        var current = await Store.ReadDocumentAsync(key);
        Assert.NotNull(current);
        Assert.Equal(second, current.ETag);
        Assert.Equal("{\"iteration\":1}", Encoding.UTF8.GetString(current.Content));
    }

    [Fact]
    public async Task WriteDocumentAsync_IfMatchOnMissingDocument_Conflicts()
    {
        var tag = await Store.WriteDocumentAsync("campaigns/c2/state.json", Encoding.UTF8.GetBytes("{}"), ifMatch: null);

        await Assert.ThrowsAsync<ConcurrencyConflictException>(
            () => Store.WriteDocumentAsync("campaigns/c3/state.json", Encoding.UTF8.GetBytes("{}"), ifMatch: tag));
    }

    [Fact]
    public async Task WriteDocumentAsync_ConcurrentWritersWithSameTag_ExactlyOneWinsEachRound()
    {
        const string key = "campaigns/race/state.json";
        const int writers = 6;
        var tag = await Store.WriteDocumentAsync(key, Encoding.UTF8.GetBytes("{\"round\":-1}"), ifMatch: null);
        for (var round = 0; round < ConcurrentRounds; round++)
        {
            var seen = tag;
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var attempts = Enumerable.Range(0, writers).Select(writer => Task.Run(async () =>
            {
                await start.Task;
                try
                {
                    var content = Encoding.UTF8.GetBytes($"{{\"round\":{round},\"writer\":{writer}}}");
                    return (Writer: writer, Tag: (string?)await Store.WriteDocumentAsync(key, content, seen));
                }
                catch (ConcurrencyConflictException)
                {
                    return (Writer: writer, Tag: null);
                }
            })).ToArray();
            start.SetResult();
            var results = await Task.WhenAll(attempts);

            var winner = Assert.Single(results, result => result.Tag is not null);
            var current = await Store.ReadDocumentAsync(key);
            Assert.NotNull(current);
            Assert.Equal(winner.Tag, current.ETag);
            Assert.Equal($"{{\"round\":{round},\"writer\":{winner.Writer}}}", Encoding.UTF8.GetString(current.Content));
            tag = current.ETag;
        }
    }

    // ---- checkpoints ----

    [Fact]
    public async Task SaveAsync_ThenDownload_RoundTripsEveryFileVerified()
    {
        var checkpoints = new CheckpointStore(Store);
        var source = WriteCheckpointSource("source");

        var reference = await checkpoints.SaveAsync("checkpoints/c1/iter-1", source);
        var destination = Path.Combine(_work, "loaded");
        await checkpoints.DownloadAsync(reference, destination);

        Assert.Equal("checkpoints/c1/iter-1/", reference.Prefix);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(await ReadAllAsync("checkpoints/c1/iter-1/manifest.json"))), reference.ManifestSha256);
        CheckpointSource.AssertSameFiles(source, destination);
        var manifest = await checkpoints.ReadManifestAsync(reference);
        Assert.Equal(CheckpointSource.FileNames.Order(StringComparer.Ordinal), manifest.Files.Select(file => file.Name));
        var model = manifest.Files.Single(file => file.Name == "model.safetensors");
        Assert.Equal(new FileInfo(Path.Combine(source, "model.safetensors")).Length, model.Size);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(source, "model.safetensors")))), model.Sha256);
    }

    [Fact]
    public async Task SaveAsync_WritesManifestAfterEveryFile()
    {
        var recording = new ObservedObjectStore(Store);
        await new CheckpointStore(recording).SaveAsync("checkpoints/c1/iter-2/", WriteCheckpointSource("source"));

        Assert.Equal(CheckpointSource.FileNames.Length + 1, recording.PutKeys.Count);
        Assert.Equal("checkpoints/c1/iter-2/manifest.json", recording.PutKeys[^1]);
    }

    [Fact]
    public async Task SaveAsync_SameFilesAgain_ReturnsExistingReference()
    {
        var checkpoints = new CheckpointStore(Store);
        var source = WriteCheckpointSource("source");

        var first = await checkpoints.SaveAsync("checkpoints/c1/iter-1/", source);
        var second = await checkpoints.SaveAsync("checkpoints/c1/iter-1/", source);

        Assert.Equal(first, second);
    }

    [Fact]
    public async Task SaveAsync_DifferentFilesAtCompletedPrefix_ThrowsAndKeepsOriginalIntact()
    {
        var checkpoints = new CheckpointStore(Store);
        var original = await checkpoints.SaveAsync("checkpoints/c1/iter-1/", WriteCheckpointSource("source-a"));
        var other = WriteCheckpointSource("source-b");

        await Assert.ThrowsAsync<CheckpointAlreadyExistsException>(() => checkpoints.SaveAsync("checkpoints/c1/iter-1/", other));

        await checkpoints.DownloadAsync(original, Path.Combine(_work, "loaded"));
    }

    [Fact]
    public async Task DownloadAsync_MissingManifest_ThrowsNotFoundAndListSkipsIt()
    {
        var checkpoints = new CheckpointStore(Store);
        var reference = await checkpoints.SaveAsync("checkpoints/c1/iter-1/", WriteCheckpointSource("source"));
        await Store.DeleteAsync("checkpoints/c1/iter-1/manifest.json");

        var error = await Assert.ThrowsAsync<CheckpointNotFoundException>(() => checkpoints.DownloadAsync(reference, Path.Combine(_work, "loaded")));

        Assert.Contains("checkpoints/c1/iter-1/", error.Message);
        Assert.Contains("manifest.json", error.Message);
        await Assert.ThrowsAsync<CheckpointNotFoundException>(() => checkpoints.ResolveAsync("checkpoints/c1/iter-1/"));
        Assert.Empty(await checkpoints.ListAsync("checkpoints/"));
        AssertNothingLeftBesides("source");
    }

    [Fact]
    public async Task DownloadAsync_MissingFile_ThrowsCorruptNamingFileAndLeavesNoFolder()
    {
        var checkpoints = new CheckpointStore(Store);
        var reference = await checkpoints.SaveAsync("checkpoints/c1/iter-1/", WriteCheckpointSource("source"));
        await Store.DeleteAsync("checkpoints/c1/iter-1/tokenizer.json");

        var error = await Assert.ThrowsAsync<CheckpointCorruptException>(() => checkpoints.DownloadAsync(reference, Path.Combine(_work, "loaded")));

        Assert.Contains("'tokenizer.json'", error.Message);
        Assert.Contains("missing", error.Message);
        AssertNothingLeftBesides("source");
    }

    [Fact]
    public async Task DownloadAsync_WrongHashSameSize_ThrowsCorruptNamingFile()
    {
        var checkpoints = new CheckpointStore(Store);
        var source = WriteCheckpointSource("source");
        var reference = await checkpoints.SaveAsync("checkpoints/c1/iter-1/", source);
        var tampered = await File.ReadAllBytesAsync(Path.Combine(source, "model.safetensors"));
        tampered[tampered.Length / 2] ^= 0x01;
        await Store.PutAsync("checkpoints/c1/iter-1/model.safetensors", new MemoryStream(tampered));

        var error = await Assert.ThrowsAsync<CheckpointCorruptException>(() => checkpoints.DownloadAsync(reference, Path.Combine(_work, "loaded")));

        Assert.Contains("'model.safetensors'", error.Message);
        Assert.Contains("SHA-256", error.Message);
        AssertNothingLeftBesides("source");
    }

    [Fact]
    public async Task DownloadAsync_WrongSize_ThrowsCorruptNamingFile()
    {
        var checkpoints = new CheckpointStore(Store);
        var reference = await checkpoints.SaveAsync("checkpoints/c1/iter-1/", WriteCheckpointSource("source"));
        await Store.PutAsync("checkpoints/c1/iter-1/config.json", Utf8("{\"dim\":1}"));

        var error = await Assert.ThrowsAsync<CheckpointCorruptException>(() => checkpoints.DownloadAsync(reference, Path.Combine(_work, "loaded")));

        Assert.Contains("'config.json'", error.Message);
        Assert.Contains("bytes", error.Message);
        AssertNothingLeftBesides("source");
    }

    [Fact]
    public async Task DownloadAsync_ManifestRewrittenToMatchTamperedFile_ThrowsCorruptOnManifestHash()
    {
        var checkpoints = new CheckpointStore(Store);
        var reference = await checkpoints.SaveAsync("checkpoints/c1/iter-1/", WriteCheckpointSource("source"));
        // A consistent forgery: new file content plus a manifest listing its true size and hash. Only the reference catches it.
        var forged = Encoding.UTF8.GetBytes("{\"dim\":999}");
        await Store.PutAsync("checkpoints/c1/iter-1/config.json", new MemoryStream(forged));
        var manifest = JsonNode.Parse(await ReadAllAsync("checkpoints/c1/iter-1/manifest.json"))!;
        var entry = manifest["files"]!.AsArray().Single(file => (string?)file!["name"] == "config.json")!;
        entry["size"] = forged.Length;
        entry["sha256"] = Convert.ToHexStringLower(SHA256.HashData(forged));
        await Store.PutAsync("checkpoints/c1/iter-1/manifest.json", Utf8(manifest.ToJsonString()));

        var error = await Assert.ThrowsAsync<CheckpointCorruptException>(() => checkpoints.DownloadAsync(reference, Path.Combine(_work, "loaded")));

        Assert.Contains("manifest.json", error.Message);
        Assert.Contains(reference.ManifestSha256, error.Message);
        AssertNothingLeftBesides("source");
    }

    [Fact]
    public async Task ResolveAsync_ManifestNotJson_ThrowsCorrupt()
    {
        var checkpoints = new CheckpointStore(Store);
        await Store.PutAsync("checkpoints/c1/iter-1/model.safetensors", Utf8("weights"));
        await Store.PutAsync("checkpoints/c1/iter-1/manifest.json", Utf8("{ not json"));

        var error = await Assert.ThrowsAsync<CheckpointCorruptException>(() => checkpoints.ResolveAsync("checkpoints/c1/iter-1/"));

        Assert.Contains("not valid JSON", error.Message);
    }

    [Fact]
    public async Task ResolveAsync_ManifestNamingFileOutsideCheckpoint_ThrowsCorrupt()
    {
        var checkpoints = new CheckpointStore(Store);
        var reference = await checkpoints.SaveAsync("checkpoints/c1/iter-1/", WriteCheckpointSource("source"));
        var manifest = JsonNode.Parse(await ReadAllAsync("checkpoints/c1/iter-1/manifest.json"))!;
        manifest["files"]![0]!["name"] = "../../escape.txt";
        await Store.PutAsync("checkpoints/c1/iter-1/manifest.json", Utf8(manifest.ToJsonString()));

        var error = await Assert.ThrowsAsync<CheckpointCorruptException>(() => checkpoints.ResolveAsync(reference.Prefix));

        Assert.Contains("../../escape.txt", error.Message);
    }

    [Fact]
    public async Task ReadFileAsync_OneFile_ReturnsItsBytesReadingOnlyItAndTheManifest()
    {
        var source = WriteCheckpointSource("source");
        var reference = await new CheckpointStore(Store).SaveAsync("checkpoints/c1/iter-1/", source);
        var recording = new ObservedObjectStore(Store);

        var bytes = await new CheckpointStore(recording).ReadFileAsync(reference, "optimizer/adamw-state.bin");

        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(source, "optimizer", "adamw-state.bin")), bytes);
        Assert.Equal(["checkpoints/c1/iter-1/manifest.json", "checkpoints/c1/iter-1/optimizer/adamw-state.bin"], recording.ReadKeys);
    }

    [Fact]
    public async Task ReadFileAsync_TamperedFile_ThrowsCorruptNamingFile()
    {
        var checkpoints = new CheckpointStore(Store);
        var reference = await checkpoints.SaveAsync("checkpoints/c1/iter-1/", WriteCheckpointSource("source"));
        await Store.PutAsync("checkpoints/c1/iter-1/config.json", Utf8("{\"dim\":1}"));

        var error = await Assert.ThrowsAsync<CheckpointCorruptException>(() => checkpoints.ReadFileAsync(reference, "config.json"));

        Assert.Contains("'config.json'", error.Message);
        await Assert.ThrowsAsync<FileNotFoundException>(() => checkpoints.ReadFileAsync(reference, "metrics.json"));
    }

    [Fact]
    public async Task ListAsync_ReturnsOnlyCheckpointsWithManifests()
    {
        var checkpoints = new CheckpointStore(Store);
        var first = await checkpoints.SaveAsync("checkpoints/c1/iter-1/", WriteCheckpointSource("source-1"));
        var third = await checkpoints.SaveAsync("checkpoints/c1/iter-3/", WriteCheckpointSource("source-3"));
        // What a crash before the manifest leaves behind: files, no manifest.
        await Store.PutAsync("checkpoints/c1/iter-2/model.safetensors", Utf8("half written"));
        await checkpoints.SaveAsync("checkpoints/c2/iter-1/", WriteCheckpointSource("source-other"));

        Assert.Equal([first, third], await checkpoints.ListAsync("checkpoints/c1/"));
    }

    // ---- helpers ----

    /// <summary>A checkpoint folder whose model file spans several upload blocks; contents differ per call.</summary>
    protected string WriteCheckpointSource(string name) => CheckpointSource.Write(Path.Combine(_work, name), 3 * TestBlockSize + 517);

    protected async Task<byte[]> ReadAllAsync(string key)
    {
        await using var stream = await Store.OpenReadAsync(key);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    /// <summary>A refused download must leave neither the destination nor its staging folder behind.</summary>
    private void AssertNothingLeftBesides(string sourceFolder) =>
        Assert.Equal([sourceFolder], Directory.EnumerateFileSystemEntries(_work).Select(Path.GetFileName));

    protected static byte[] RandomBytes(int size) => CheckpointSource.RandomBytes(size);

    private static MemoryStream Utf8(string text) => new(Encoding.UTF8.GetBytes(text));
}
