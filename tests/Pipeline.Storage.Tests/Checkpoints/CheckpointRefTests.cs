// Checkpoint references travel inside messages as JSON, so they must round-trip and refuse malformed parts.
using System.Text.Json;
using Pipeline.Storage.Checkpoints;

namespace Pipeline.Storage.Tests.Checkpoints;

public sealed class CheckpointRefTests
{
    private static readonly string Hash = new('a', 64);

    [Fact]
    public void Serialize_ThenDeserialize_GivesEqualReference()
    {
        var reference = new CheckpointRef("checkpoints/c1/iter-2/", Hash);

        var json = JsonSerializer.Serialize(reference);
        var back = JsonSerializer.Deserialize<CheckpointRef>(json);

        Assert.Equal("{\"Prefix\":\"checkpoints/c1/iter-2/\",\"ManifestSha256\":\"" + Hash + "\"}", json);
        Assert.Equal(reference, back);
    }

    [Theory]
    [InlineData("checkpoints/c1/iter-2")]
    [InlineData("../c1/")]
    [InlineData("")]
    public void Constructor_BadPrefix_ThrowsNamingPrefix(string prefix)
    {
        var error = Assert.Throws<ArgumentException>(() => new CheckpointRef(prefix, Hash));

        Assert.Equal("prefix", error.ParamName);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("../../../../../../../../../../../../../../../../../../../../etc/x")]
    public void Constructor_BadManifestHash_Throws(string hash)
    {
        Assert.Throws<ArgumentException>(() => new CheckpointRef("checkpoints/c1/iter-2/", hash));
    }
}
