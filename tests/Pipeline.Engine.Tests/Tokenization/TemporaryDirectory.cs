// A scratch folder for tests that write tokenizer files, removed with everything in it on Dispose.
namespace Pipeline.Engine.Tests.Tokenization;

internal sealed class TemporaryDirectory(string prefix) : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
