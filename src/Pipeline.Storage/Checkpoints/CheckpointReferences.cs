// Checks on the one checkpoint-reference type (Contracts.CheckpointReference): messages deserialize it as plain data, so
// the store validates both parts wherever a reference comes in, before its hash becomes a folder name or its prefix a key.
using System.Text.RegularExpressions;
using Pipeline.Contracts;

namespace Pipeline.Storage.Checkpoints;

/// <summary>Creation and validation of checkpoint references.</summary>
public static partial class CheckpointReferences
{
    /// <summary>A reference to the checkpoint at <paramref name="prefix"/> whose manifest hashes to <paramref name="manifestSha256"/>.</summary>
    /// <exception cref="ArgumentException">A part is malformed.</exception>
    public static CheckpointReference Create(string prefix, string manifestSha256) => Validate(new CheckpointReference(prefix, manifestSha256));

    /// <summary>Returns <paramref name="reference"/> once its prefix (a key prefix ending in '/') and hash (64 lowercase hex) check out.</summary>
    /// <exception cref="ArgumentException">A part is malformed; the parameter name says which.</exception>
    public static CheckpointReference Validate(CheckpointReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var prefix = reference.Prefix ?? "";
        ObjectKey.ValidatePrefix(prefix);
        if (prefix.Length == 0 || !prefix.EndsWith('/'))
            throw new ArgumentException($"Checkpoint prefix must be non-empty and end with '/', got '{prefix}'.", "prefix");
        if (!Sha256Hex().IsMatch(reference.ManifestSha256 ?? ""))
            throw new ArgumentException($"Manifest SHA-256 must be 64 lowercase hex characters, got '{reference.ManifestSha256}'.", "manifestSha256");
        return reference;
    }

    /// <summary>How messages and errors name a checkpoint: its prefix and the start of its manifest hash.</summary>
    public static string Describe(this CheckpointReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var hash = reference.ManifestSha256 ?? "";
        return $"{reference.Prefix} (manifest {(hash.Length > 12 ? hash[..12] : hash)})";
    }

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Hex();
}
