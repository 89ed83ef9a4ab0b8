// Stage outputs in the store: create-only, found again by a second writer, inline only while small; older records read
// with their defaults.
using Pipeline.Contracts;
using Pipeline.Stages.Work;
using Pipeline.Testing;
using Pipeline.Storage.Folder;

namespace Pipeline.Stages.Tests.Work;

public sealed class ShardStoreTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "shardstore-" + Guid.NewGuid().ToString("N"));

    private static Rollout Rollout(int sample, string response) => TestRollouts.Create("p1", "1+2=", sample, response,
        new Dictionary<string, double> { ["judge"] = double.NaN, ["votes"] = 0.5 }, answer: "3");

    [Fact]
    public void ParseLines_FormatOneShardWithoutHeader_SaysItIsFromAnOlderVersion()
    {
        var line = """{"promptId":"p1","prompt":"1+2=","sample":0,"response":"3","tokenCount":2,"statistics":{"meanLogProb":-1,"meanEntropy":1,"selfCertainty":1},"answer":"3","scores":{}}""";

        var error = Assert.Throws<InvalidDataException>(() => ShardStore.ParseLines<Rollout>("old.jsonl", System.Text.Encoding.UTF8.GetBytes(line + "\n")));

        Assert.StartsWith("old.jsonl: no shard format header; it was written by an older Pipeline (format 1", error.Message);
    }

    [Fact]
    public void ParseLines_OtherFormatVersion_NamesBothVersions()
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes("""{"shardFormat":3,"record":"Rollout"}""" + "\n");

        var error = Assert.Throws<InvalidDataException>(() => ShardStore.ParseLines<Rollout>("new.jsonl", bytes));

        Assert.Equal($"new.jsonl: shard format 3; this version of Pipeline reads format {ShardStore.FormatVersion}.", error.Message);
    }

    [Fact]
    public void ParseLines_PairsReadAsRollouts_NamesTheRecordType()
    {
        var bytes = ShardStore.ToLines(Array.Empty<PreferencePairRecord>());

        var error = Assert.Throws<InvalidDataException>(() => ShardStore.ParseLines<Rollout>("pairs.jsonl", bytes));

        Assert.Equal("pairs.jsonl: holds PreferencePairRecord records, not Rollout.", error.Message);
    }

    [Fact]
    public async Task WriteAsync_ThenTryRead_RoundTripsRecordsAndSummary()
    {
        var shards = new ShardStore(new FolderObjectStore(_root));
        var records = new[] { Rollout(0, "1+2=3;#### 3"), Rollout(1, "1+2=4;#### 4") };

        var written = await shards.WriteAsync("campaigns/c/iter-1/generation/shard-0.jsonl", records, new Dictionary<string, double> { ["mean"] = 1.5 });
        var read = await shards.TryReadAsync<Rollout>("campaigns/c/iter-1/generation/shard-0.jsonl");

        Assert.False(written.Reused);
        Assert.NotNull(read);
        Assert.True(read.Reused);
        Assert.Equal(2, read.Count);
        Assert.Equal(records[1].Response, read.Records[1].Response);
        Assert.True(double.IsNaN(read.Records[0].Scores["judge"]));
        Assert.Equal(1.5, read.Summary["mean"]);
    }

    [Fact]
    public async Task WriteAsync_KeyTaken_ReturnsTheStoredOutput()
    {
        var shards = new ShardStore(new FolderObjectStore(_root));
        const string key = "campaigns/c/iter-1/generation/shard-0.jsonl";
        await shards.WriteAsync(key, [Rollout(0, "first")], new Dictionary<string, double> { ["n"] = 1 });

        var second = await shards.WriteAsync(key, [Rollout(0, "second"), Rollout(1, "x")], new Dictionary<string, double> { ["n"] = 2 });

        Assert.True(second.Reused);
        Assert.Equal("first", Assert.Single(second.Records).Response);
    }

    [Fact]
    public async Task TryReadAsync_Missing_Null()
    {
        Assert.Null(await new ShardStore(new FolderObjectStore(_root)).TryReadAsync<Rollout>("campaigns/c/iter-1/generation/shard-9.jsonl"));
    }

    [Fact]
    public async Task WriteAsync_OverInlineBound_KeyOnly()
    {
        var small = new ShardStore(new FolderObjectStore(_root), inlineLimitBytes: 100);
        var records = Enumerable.Range(0, 5).Select(i => Rollout(i, "12+34=46;#### 46")).ToList();

        var written = await small.WriteAsync("campaigns/c/iter-1/generation/shard-1.jsonl", records, new Dictionary<string, double>());
        var roomy = await new ShardStore(new FolderObjectStore(_root)).TryReadAsync<Rollout>("campaigns/c/iter-1/generation/shard-1.jsonl");

        Assert.Null(written.Inline);
        Assert.Equal(5, roomy!.Inline!.Count);
    }

    [Fact]
    public async Task RolloutsAsync_KeyOnlyPayload_ReadsTheStore()
    {
        var shards = new ShardStore(new FolderObjectStore(_root));
        await shards.WriteAsync("campaigns/c/iter-1/scoring/shard-0.jsonl", [Rollout(0, "a"), Rollout(1, "b")], new Dictionary<string, double>());
        var checkpoint = new CheckpointReference("checkpoints/c/iter-0/", new string('a', 64));

        var rollouts = await shards.RolloutsAsync(new BuildPairs("c", 1, 0, checkpoint, "campaigns/c/iter-1/scoring/shard-0.jsonl", 2, null));

        Assert.Equal(["a", "b"], rollouts.Select(r => r.Response));
    }

    [Fact]
    public void ParseLines_BadLine_NamesSourceAndLine()
    {
        var bytes = ShardStore.ToLines([Rollout(0, "3")]).Concat("{oops\n"u8.ToArray()).ToArray();

        var error = Assert.Throws<InvalidDataException>(() => ShardStore.ParseLines<Rollout>("k.jsonl", bytes));

        Assert.StartsWith("k.jsonl: line 3 is not a valid Rollout", error.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}
