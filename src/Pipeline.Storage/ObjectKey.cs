// Key rules shared by both stores, so a key valid on one store is valid on the other and browses the same way.
namespace Pipeline.Storage;

internal static class ObjectKey
{
    /// <summary>Accepts non-empty forward-slash paths whose segments are non-empty and do not start with '.'.</summary>
    public static void Validate(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length == 0 || key.Length > 1024)
            throw new ArgumentException($"Storage key must be 1 to 1024 characters long, got {key.Length}.", nameof(key));
        ValidateSegments(key, key.Split('/'), nameof(key));
    }

    /// <summary>Accepts "" or a key-like string; a trailing '/' is allowed (it selects a folder).</summary>
    public static void ValidatePrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length == 0) return;
        var segments = prefix.Split('/');
        ValidateSegments(prefix, prefix.EndsWith('/') ? segments[..^1] : segments, nameof(prefix));
    }

    private static void ValidateSegments(string key, string[] segments, string parameterName)
    {
        foreach (var segment in segments)
        {
            // Dot-leading segments are refused: they cover "." and ".." (escaping a folder root) and keep the folder
            // store's own ".pipeline" bookkeeping folder out of the key space.
            if (segment.Length == 0 || segment[0] == '.' || segment.Contains('\\') || segment.Any(char.IsControl))
                throw new ArgumentException(
                    $"Invalid storage key '{key}': segments must be non-empty, must not start with '.', and must not contain '\\' or control characters.",
                    parameterName);
        }
    }
}
