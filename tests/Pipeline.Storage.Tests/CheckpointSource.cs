// Writes a local checkpoint folder shaped like the trainer's output, with fresh random content on every call.
namespace Pipeline.Storage.Tests;

internal static class CheckpointSource
{
    public static readonly string[] FileNames = ["config.json", "model.safetensors", "tokenizer.json", "optimizer/adamw-state.bin"];

    public static string Write(string folder, int modelSize)
    {
        Directory.CreateDirectory(Path.Combine(folder, "optimizer"));
        File.WriteAllText(Path.Combine(folder, "config.json"), $"{{\"dim\":64,\"layers\":2,\"seed\":\"{Guid.NewGuid():N}\"}}");
        File.WriteAllBytes(Path.Combine(folder, "model.safetensors"), RandomBytes(modelSize));
        File.WriteAllText(Path.Combine(folder, "tokenizer.json"), "{\"vocab\":[\"a\",\"b\"]}");
        File.WriteAllBytes(Path.Combine(folder, "optimizer", "adamw-state.bin"), RandomBytes(5000));
        return folder;
    }

    public static byte[] RandomBytes(int size)
    {
        var bytes = new byte[size];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Asserts that <paramref name="loaded"/> holds exactly the files of <paramref name="source"/>, byte for byte.</summary>
    public static void AssertSameFiles(string source, string loaded)
    {
        static IEnumerable<string> Names(string root) => Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/')).Order(StringComparer.Ordinal);
        Assert.Equal(Names(source), Names(loaded));
        foreach (var name in Names(source))
            Assert.Equal(File.ReadAllBytes(Path.Combine(source, name)), File.ReadAllBytes(Path.Combine(loaded, name)));
    }
}
