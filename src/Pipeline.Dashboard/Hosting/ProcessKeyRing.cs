// The anti-forgery tokens are protected with ASP.NET Core data protection, whose keys would by default be written to the
// user's home folder. The dashboard keeps them in memory instead: a restarted dashboard only asks for a page reload,
// and nothing is left on disk. They are plain XML there, which is fine for keys that never leave the process.
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace Pipeline.Dashboard.Hosting;

/// <summary>Data-protection keys kept for the life of the process.</summary>
internal sealed class ProcessKeyRing : IXmlRepository
{
    readonly Lock _gate = new();
    readonly List<XElement> _elements = [];

    /// <summary>No encryption at rest: the keys are never at rest.</summary>
    public static IXmlEncryptor Encryptor { get; } = new NullXmlEncryptor();

    /// <inheritdoc />
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        lock (_gate)
            return _elements.Select(e => new XElement(e)).ToList();
    }

    /// <inheritdoc />
    public void StoreElement(XElement element, string friendlyName)
    {
        lock (_gate)
            _elements.Add(new XElement(element));
    }
}
