// Exceptions every store raises, so callers handle failures the same way whichever store is configured.
namespace Pipeline.Storage;

/// <summary>A storage operation failed; <see cref="Key"/> names the object (or prefix) involved.</summary>
public class StorageException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StorageException(string key, string message, Exception? innerException = null)
        : base(message, innerException) => Key = key;

    /// <summary>The object key or prefix the operation was about.</summary>
    public string Key { get; }
}

/// <summary>No object exists under the key.</summary>
public sealed class ObjectNotFoundException(string key, Exception? innerException = null)
    : StorageException(key, $"No object exists under key '{key}'.", innerException);

/// <summary>A create-only write found the key already taken.</summary>
public sealed class ObjectAlreadyExistsException(string key, Exception? innerException = null)
    : StorageException(key, $"An object already exists under key '{key}' and the write was create-only.", innerException);

/// <summary>A conditional document write lost: the document changed (or appeared) since the version the writer read.</summary>
public sealed class ConcurrencyConflictException(string key, string? expectedETag, Exception? innerException = null)
    : StorageException(key, expectedETag is null
        ? $"Document '{key}' already exists; the create-only write lost to another writer."
        : $"Document '{key}' no longer has version {expectedETag}; another writer changed it first.", innerException);
