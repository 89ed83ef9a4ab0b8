// Why a checkpoint was refused; each message names the checkpoint and, where one is at fault, the file.
namespace Pipeline.Storage.Checkpoints;

/// <summary>No complete checkpoint (no manifest.json) exists at the prefix.</summary>
public sealed class CheckpointNotFoundException(string prefix, Exception? innerException = null)
    : StorageException(prefix, $"No complete checkpoint at '{prefix}': {CheckpointStore.ManifestName} is missing, so the checkpoint was never finished or was removed.", innerException);

/// <summary>A checkpoint's manifest or one of its files does not match what the manifest or reference promises.</summary>
public sealed class CheckpointCorruptException(string prefix, string problem, Exception? innerException = null)
    : StorageException(prefix, $"Checkpoint '{prefix}' is refused: {problem}", innerException);

/// <summary>A different checkpoint has already been completed at the prefix; checkpoints are written once.</summary>
public sealed class CheckpointAlreadyExistsException(string prefix)
    : StorageException(prefix, $"A different checkpoint already exists at '{prefix}'; checkpoints are immutable, save under a new prefix.");
