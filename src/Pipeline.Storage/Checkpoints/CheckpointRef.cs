// What messages carry to name a checkpoint: where it lives and the SHA-256 of its manifest, which pins every file's hash.
using System.Text.RegularExpressions;

namespace Pipeline.Storage.Checkpoints;

/// <summary>A complete checkpoint: its key prefix (ending in '/') and the SHA-256 (lowercase hex) of its manifest.json.</summary>
public sealed partial record CheckpointRef
{
    /// <summary>Creates a reference, checking both parts.</summary>
    /// <param name="prefix">Key prefix such as <c>checkpoints/c1/iter-3/</c>.</param>
    /// <param name="manifestSha256">64 lowercase hex characters.</param>
    public CheckpointRef(string prefix, string manifestSha256)
    {
        ObjectKey.ValidatePrefix(prefix);
        if (prefix.Length == 0 || !prefix.EndsWith('/'))
            throw new ArgumentException($"Checkpoint prefix must be non-empty and end with '/', got '{prefix}'.", nameof(prefix));
        if (!Sha256Hex().IsMatch(manifestSha256))
            throw new ArgumentException($"Manifest SHA-256 must be 64 lowercase hex characters, got '{manifestSha256}'.", nameof(manifestSha256));
        Prefix = prefix;
        ManifestSha256 = manifestSha256;
    }

    /// <summary>Key prefix of the checkpoint's files, ending in '/'.</summary>
    public string Prefix { get; }

    /// <summary>SHA-256 of the manifest bytes as stored, lowercase hex.</summary>
    public string ManifestSha256 { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Prefix} (manifest {ManifestSha256[..12]})";

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Hex();
}
