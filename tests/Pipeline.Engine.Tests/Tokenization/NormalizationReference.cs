// JavaScript's String.prototype.normalize (node's ICU) over every Unicode scalar value, the reference the tests of
// UnicodeNormalizer compare against. The solution runs with InvariantGlobalization, where .NET's string.Normalize does
// nothing, and node is already required by the tokenizer parity tests; official node builds bundle their own ICU.
using System.Text.Json;
using Pipeline.Testing;

namespace Pipeline.Engine.Tests.Tokenization;

internal sealed class NormalizationReference
{
    private readonly Dictionary<long, (string? Nfc, string? Nfd)> changed;

    private NormalizationReference(Version unicodeVersion, string icuVersion, Dictionary<long, (string?, string?)> changed)
    {
        UnicodeVersion = unicodeVersion;
        IcuVersion = icuVersion;
        this.changed = changed;
    }

    /// <summary>The Unicode version the reference implements.</summary>
    public Version UnicodeVersion { get; }

    public string IcuVersion { get; }

    /// <summary>Normalizes every scalar value between each prefix and suffix of <paramref name="contexts"/>.</summary>
    public static NormalizationReference Compute(IReadOnlyList<(string Prefix, string Suffix)> contexts)
    {
        using var temporary = new TemporaryDirectory("normalization-reference-");
        string input = Path.Combine(temporary.Path, "contexts.json");
        string output = Path.Combine(temporary.Path, "output.json");
        File.WriteAllText(input, JsonSerializer.Serialize(contexts.Select(c => new[] { c.Prefix, c.Suffix })));
        NpmReference.Run("node", [NpmReference.ScriptPath("normalize-reference.js"), input, output], temporary.Path);

        using var document = JsonDocument.Parse(File.ReadAllBytes(output));
        var root = document.RootElement;
        string unicode = root.GetProperty("unicode").GetString()
            ?? throw new InvalidOperationException("node was built without ICU, so it cannot serve as the normalization reference.");
        var map = new Dictionary<long, (string?, string?)>();
        foreach (var entry in root.GetProperty("changed").EnumerateArray())
        {
            map[Key(entry[0].GetInt32(), entry[1].GetInt32())] = (entry[2].GetString(), entry[3].GetString());
        }
        return new NormalizationReference(Version.Parse(unicode), root.GetProperty("icu").GetString() ?? "?", map);
    }

    /// <summary>The reference's NFC (<paramref name="compose"/>) or NFD of the code point in context <paramref name="context"/>.</summary>
    public string Normalized(int context, int codePoint, string text, bool compose) =>
        changed.TryGetValue(Key(context, codePoint), out var forms) ? (compose ? forms.Nfc : forms.Nfd) ?? text : text;

    private static long Key(int context, int codePoint) => ((long)context << 32) | (uint)codePoint;
}
