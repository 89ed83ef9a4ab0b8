// A fresh folder under the system temp path for one test, removed with everything in it on Dispose.
namespace Pipeline.Testing;

public sealed class TemporaryDirectory(string prefix = "pipeline-test-") : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    public static implicit operator string(TemporaryDirectory directory) => directory.Path;

    public void Dispose()
    {
        if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
    }
}
