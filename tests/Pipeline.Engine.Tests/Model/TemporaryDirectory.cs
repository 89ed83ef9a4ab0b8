// A fresh folder under the system temp path for one test, deleted when disposed.
namespace Pipeline.Engine.Tests.Model;

internal sealed class TemporaryDirectory : IDisposable
{
    public TemporaryDirectory()
    {
        FullName = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pipeline-engine-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(FullName);
    }

    public string FullName { get; }

    public static implicit operator string(TemporaryDirectory directory) => directory.FullName;

    public void Dispose()
    {
        if (Directory.Exists(FullName))
        {
            Directory.Delete(FullName, recursive: true);
        }
    }
}
