// The manifest written last into a checkpoint: its presence marks the checkpoint complete, its hashes let readers verify it.
namespace Pipeline.Storage.Checkpoints;

/// <summary>The contents of a checkpoint's <c>manifest.json</c>.</summary>
/// <param name="FormatVersion">Manifest format version (currently 1).</param>
/// <param name="ManifestId">Unique id of this save.</param>
/// <param name="CreatedUtc">When the checkpoint was completed.</param>
/// <param name="Files">Every file of the checkpoint, by name relative to its prefix, in ordinal order.</param>
public sealed record CheckpointManifest(int FormatVersion, string ManifestId, DateTimeOffset CreatedUtc, IReadOnlyList<CheckpointFile> Files);

/// <summary>One file of a checkpoint.</summary>
/// <param name="Name">Path relative to the checkpoint prefix, forward slashes (e.g. <c>model.safetensors</c>).</param>
/// <param name="Size">Length in bytes.</param>
/// <param name="Sha256">SHA-256 of the content, lowercase hex.</param>
public sealed record CheckpointFile(string Name, long Size, string Sha256);
