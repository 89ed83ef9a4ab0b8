// Checkpoints over any IObjectStore: files first, manifest.json (sizes and SHA-256s) last and create-only, so the manifest's
// presence is what makes a checkpoint exist. Readers start from the manifest, verify it against the reference, verify every
// file against it, and only then move the download into place.
using System.Security.Cryptography;
using System.Text.Json;
using Pipeline.Contracts;

namespace Pipeline.Storage.Checkpoints;

/// <summary>Saves, lists and verifies-on-load checkpoints (a set of files plus a manifest) in an <see cref="IObjectStore"/>.</summary>
public sealed class CheckpointStore(IObjectStore store)
{
    /// <summary>Name of the manifest object under a checkpoint's prefix.</summary>
    public const string ManifestName = "manifest.json";

    private const int FormatVersion = 1;

    private static readonly JsonSerializerOptions ManifestJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>
    /// Uploads every file under <paramref name="sourceDirectory"/> (recursively, names relative to it) to
    /// <paramref name="prefix"/>, then writes the manifest. Saving the same files again to the same prefix returns the
    /// existing reference; different files at a completed prefix are refused.
    /// </summary>
    /// <param name="prefix">Key prefix such as <c>checkpoints/c1/iter-3/</c> (a missing trailing '/' is added).</param>
    /// <param name="sourceDirectory">Local folder with config.json, model.safetensors, tokenizer.json and so on.</param>
    /// <param name="cancellationToken">Cancels the save; no manifest is written then, so no checkpoint appears.</param>
    /// <exception cref="CheckpointAlreadyExistsException">A different checkpoint is already complete at the prefix.</exception>
    public async Task<CheckpointReference> SaveAsync(string prefix, string sourceDirectory, CancellationToken cancellationToken = default)
    {
        prefix = NormalisePrefix(prefix);
        var sources = LocalFiles(sourceDirectory);

        var existing = await TryReadManifestBytesAsync(prefix, cancellationToken);
        if (existing is not null)
            return await SameCheckpointOrThrowAsync(prefix, existing, sources, cancellationToken);

        var files = new List<CheckpointFile>(sources.Count);
        foreach (var (name, path) in sources)
        {
            await using var hashing = new HashingReadStream(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read,
                81920, FileOptions.Asynchronous | FileOptions.SequentialScan));
            await store.PutAsync(prefix + name, hashing, PutMode.Overwrite, cancellationToken);
            files.Add(new CheckpointFile(name, hashing.BytesRead, hashing.Sha256Hex()));
        }

        var manifest = new CheckpointManifest(FormatVersion, Guid.NewGuid().ToString("N"), DateTimeOffset.UtcNow, files);
        var manifestBytes = JsonSerializer.SerializeToUtf8Bytes(manifest, ManifestJson);
        try
        {
            await store.PutAsync(prefix + ManifestName, new MemoryStream(manifestBytes, writable: false), PutMode.CreateOnly, cancellationToken);
        }
        catch (ObjectAlreadyExistsException)
        {
            // Another writer completed this prefix while we uploaded; its files may have replaced ours, so ours is void.
            throw new CheckpointAlreadyExistsException(prefix);
        }
        return CheckpointReferences.Create(prefix, Sha256Hex(manifestBytes));
    }

    /// <summary>The reference of the complete checkpoint at <paramref name="prefix"/>.</summary>
    /// <exception cref="CheckpointNotFoundException">No manifest exists there.</exception>
    /// <exception cref="CheckpointCorruptException">The manifest is not a valid manifest.</exception>
    public async Task<CheckpointReference> ResolveAsync(string prefix, CancellationToken cancellationToken = default)
    {
        prefix = NormalisePrefix(prefix);
        var bytes = await TryReadManifestBytesAsync(prefix, cancellationToken) ?? throw new CheckpointNotFoundException(prefix);
        ParseManifest(prefix, bytes);
        return CheckpointReferences.Create(prefix, Sha256Hex(bytes));
    }

    /// <summary>
    /// Complete checkpoints (those with a manifest) whose prefix starts with <paramref name="prefix"/>, in ordinal order of prefix.
    /// Files uploaded by a save that never wrote its manifest are not listed.
    /// </summary>
    public async Task<IReadOnlyList<CheckpointReference>> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var references = new List<CheckpointReference>();
        foreach (var key in await store.ListAsync(prefix, cancellationToken))
        {
            if (key != ManifestName && !key.EndsWith("/" + ManifestName, StringComparison.Ordinal)) continue;
            var checkpointPrefix = key[..^ManifestName.Length];
            if (checkpointPrefix.Length == 0) continue;
            try
            {
                references.Add(await ResolveAsync(checkpointPrefix, cancellationToken));
            }
            catch (CheckpointNotFoundException)
            {
                // Deleted between listing and reading.
            }
        }
        return references;
    }

    /// <summary>Reads the manifest of <paramref name="checkpoint"/> and checks it against the reference's hash.</summary>
    /// <exception cref="CheckpointNotFoundException">The manifest is missing.</exception>
    /// <exception cref="CheckpointCorruptException">The manifest's hash differs from the reference or it does not parse.</exception>
    public async Task<CheckpointManifest> ReadManifestAsync(CheckpointReference checkpoint, CancellationToken cancellationToken = default)
    {
        CheckpointReferences.Validate(checkpoint);
        var bytes = await TryReadManifestBytesAsync(checkpoint.Prefix, cancellationToken)
            ?? throw new CheckpointNotFoundException(checkpoint.Prefix);
        var actual = Sha256Hex(bytes);
        if (actual != checkpoint.ManifestSha256)
            throw new CheckpointCorruptException(checkpoint.Prefix,
                $"{ManifestName} has SHA-256 {actual}, but the reference expects {checkpoint.ManifestSha256} (the manifest was replaced or tampered with).");
        return ParseManifest(checkpoint.Prefix, bytes);
    }

    /// <summary>
    /// Downloads and verifies every file of <paramref name="checkpoint"/> into <paramref name="destinationDirectory"/>, which
    /// must not exist or be empty. Files land in a sibling temp folder first; the destination appears only when all are verified.
    /// </summary>
    /// <exception cref="CheckpointNotFoundException">The manifest is missing.</exception>
    /// <exception cref="CheckpointCorruptException">The manifest or a file is missing or differs in size or SHA-256.</exception>
    /// <exception cref="IOException">The destination exists and is not empty.</exception>
    public async Task DownloadAsync(CheckpointReference checkpoint, string destinationDirectory, CancellationToken cancellationToken = default)
    {
        var manifest = await ReadManifestAsync(checkpoint, cancellationToken);
        var destination = Path.TrimEndingDirectorySeparator(Path.GetFullPath(destinationDirectory));
        if (Directory.Exists(destination) && Directory.EnumerateFileSystemEntries(destination).Any())
            throw new IOException($"Cannot download checkpoint {checkpoint.Describe()} into '{destination}': the folder is not empty.");
        // A hidden sibling: same file system (so the final move is a rename) and out of sight if a crash leaves it behind.
        var staging = Path.Combine(Path.GetDirectoryName(destination)!, $".{Path.GetFileName(destination)}.partial-{Guid.NewGuid():N}");
        try
        {
            foreach (var file in manifest.Files)
                await DownloadFileAsync(checkpoint.Prefix, file, Path.Combine(staging, file.Name), cancellationToken);
            Directory.CreateDirectory(staging);
            if (Directory.Exists(destination)) Directory.Delete(destination);
            Directory.Move(staging, destination);
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>
    /// One file of <paramref name="checkpoint"/>, verified against the manifest like a download, without fetching the
    /// others: for a small document saved with a large checkpoint (a trainer state's figures next to its weights).
    /// </summary>
    /// <exception cref="CheckpointNotFoundException">The manifest is missing.</exception>
    /// <exception cref="CheckpointCorruptException">The manifest or the file is missing or differs in size or SHA-256.</exception>
    /// <exception cref="FileNotFoundException">The manifest lists no file named <paramref name="name"/>.</exception>
    public async Task<byte[]> ReadFileAsync(CheckpointReference checkpoint, string name, CancellationToken cancellationToken = default)
    {
        var manifest = await ReadManifestAsync(checkpoint, cancellationToken);
        var file = manifest.Files.FirstOrDefault(f => f.Name == name)
            ?? throw new FileNotFoundException($"Checkpoint {checkpoint.Describe()} has no file '{name}' in its {ManifestName}.", name);
        using var buffer = new MemoryStream();
        await CopyVerifiedAsync(checkpoint.Prefix, file, buffer, cancellationToken);
        return buffer.ToArray();
    }

    private async Task DownloadFileAsync(string prefix, CheckpointFile file, string path, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using var target = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous);
        await CopyVerifiedAsync(prefix, file, target, cancellationToken);
    }

    private async Task CopyVerifiedAsync(string prefix, CheckpointFile file, Stream target, CancellationToken cancellationToken)
    {
        Stream source;
        try
        {
            source = await store.OpenReadAsync(prefix + file.Name, cancellationToken);
        }
        catch (ObjectNotFoundException e)
        {
            throw new CheckpointCorruptException(prefix, $"file '{file.Name}' is listed in {ManifestName} but missing from the store.", e);
        }
        await using var hashing = new HashingReadStream(source);
        await hashing.CopyToAsync(target, cancellationToken);
        if (hashing.BytesRead != file.Size)
            throw new CheckpointCorruptException(prefix, $"file '{file.Name}' has {hashing.BytesRead} bytes, but {ManifestName} lists {file.Size}.");
        var sha = hashing.Sha256Hex();
        if (sha != file.Sha256)
            throw new CheckpointCorruptException(prefix, $"file '{file.Name}' has SHA-256 {sha}, but {ManifestName} lists {file.Sha256}.");
    }

    private async Task<CheckpointReference> SameCheckpointOrThrowAsync(
        string prefix, byte[] existingBytes, IReadOnlyList<(string Name, string Path)> sources, CancellationToken cancellationToken)
    {
        var existing = ParseManifest(prefix, existingBytes);
        if (existing.Files.Count != sources.Count)
            throw new CheckpointAlreadyExistsException(prefix);
        for (var i = 0; i < sources.Count; i++)
        {
            var listed = existing.Files[i];
            var info = new FileInfo(sources[i].Path);
            if (listed.Name != sources[i].Name || listed.Size != info.Length)
                throw new CheckpointAlreadyExistsException(prefix);
            await using var file = new FileStream(sources[i].Path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous);
            if (Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken)) != listed.Sha256)
                throw new CheckpointAlreadyExistsException(prefix);
        }
        return CheckpointReferences.Create(prefix, Sha256Hex(existingBytes));
    }

    private async Task<byte[]?> TryReadManifestBytesAsync(string prefix, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await store.OpenReadAsync(prefix + ManifestName, cancellationToken);
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, cancellationToken);
            return buffer.ToArray();
        }
        catch (ObjectNotFoundException)
        {
            return null;
        }
    }

    private static CheckpointManifest ParseManifest(string prefix, byte[] bytes)
    {
        CheckpointManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<CheckpointManifest>(bytes, ManifestJson);
        }
        catch (JsonException e)
        {
            throw new CheckpointCorruptException(prefix, $"{ManifestName} is not valid JSON ({e.Message}).", e);
        }
        if (manifest?.Files is null || manifest.ManifestId is null)
            throw new CheckpointCorruptException(prefix, $"{ManifestName} lacks its id or file list.");
        if (manifest.FormatVersion != FormatVersion)
            throw new CheckpointCorruptException(prefix, $"{ManifestName} has format version {manifest.FormatVersion}; this reader knows {FormatVersion}.");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in manifest.Files)
        {
            // A name must be a plain relative key: the download writes it below the destination folder.
            var valid = file?.Name is { } name && name != ManifestName && IsValidKey(name) && names.Add(name)
                && file.Size >= 0 && file.Sha256 is { Length: 64 };
            if (!valid)
                throw new CheckpointCorruptException(prefix, $"{ManifestName} lists an invalid or duplicate file entry ('{file?.Name}').");
        }
        return manifest;
    }

    private static bool IsValidKey(string name)
    {
        try
        {
            ObjectKey.Validate(name);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static List<(string Name, string Path)> LocalFiles(string sourceDirectory)
    {
        var root = Path.GetFullPath(sourceDirectory);
        if (!Directory.Exists(root))
            throw new DirectoryNotFoundException($"Checkpoint source folder '{root}' does not exist.");
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(path => (Name: Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/'), Path: path))
            .OrderBy(file => file.Name, StringComparer.Ordinal)
            .ToList();
        if (files.Count == 0)
            throw new ArgumentException($"Checkpoint source folder '{root}' holds no files.", nameof(sourceDirectory));
        foreach (var (name, _) in files)
        {
            if (name == ManifestName)
                throw new ArgumentException($"Checkpoint source folder '{root}' holds its own {ManifestName}; that name is reserved.", nameof(sourceDirectory));
            ObjectKey.Validate(name);
        }
        return files;
    }

    private static string NormalisePrefix(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        if (!prefix.EndsWith('/')) prefix += "/";
        ObjectKey.ValidatePrefix(prefix);
        return prefix;
    }

    private static string Sha256Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
