// The checkpoint reference messages carry is plain data: the store refuses malformed parts before using them.
using Pipeline.Contracts;
using Pipeline.Storage.Checkpoints;

namespace Pipeline.Storage.Tests.Checkpoints;

public sealed class CheckpointReferencesTests
{
    private static readonly string Hash = new('a', 64);

    [Fact]
    public void Create_WellFormedParts_GivesTheReference()
    {
        Assert.Equal(new CheckpointReference("checkpoints/c1/iter-2/", Hash), CheckpointReferences.Create("checkpoints/c1/iter-2/", Hash));
    }

    [Theory]
    [InlineData("checkpoints/c1/iter-2")]
    [InlineData("../c1/")]
    [InlineData("")]
    public void Validate_BadPrefix_ThrowsNamingPrefix(string prefix)
    {
        var error = Assert.Throws<ArgumentException>(() => CheckpointReferences.Validate(new CheckpointReference(prefix, Hash)));

        Assert.Equal("prefix", error.ParamName);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("../../../../../../../../../../../../../../../../../../../../etc/x")]
    public void Validate_BadManifestHash_ThrowsNamingIt(string hash)
    {
        var error = Assert.Throws<ArgumentException>(() => CheckpointReferences.Validate(new CheckpointReference("checkpoints/c1/iter-2/", hash)));

        Assert.Equal("manifestSha256", error.ParamName);
    }

    [Fact]
    public void Describe_Reference_PrefixAndShortHash()
    {
        Assert.Equal("checkpoints/c1/iter-2/ (manifest aaaaaaaaaaaa)", new CheckpointReference("checkpoints/c1/iter-2/", Hash).Describe());
    }
}
