// How messages name a checkpoint without carrying tensors: where its files live and the hash that pins them.
namespace Pipeline.Contracts;

/// <summary>A complete checkpoint in the store: its key prefix and the SHA-256 of its manifest (which pins every file).</summary>
/// <param name="Prefix">Key prefix ending in '/', e.g. <c>checkpoints/c1/iter-1/</c>.</param>
/// <param name="ManifestSha256">SHA-256 of the manifest bytes, 64 lowercase hex characters.</param>
public sealed record CheckpointReference(string Prefix, string ManifestSha256);
