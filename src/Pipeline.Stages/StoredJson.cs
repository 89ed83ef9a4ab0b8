// How Pipeline writes what it stores, in two forms of one family: compact lines (stage outputs, summaries, chunk figures)
// and indented documents a person opens (state.json, evaluation.json). Both camelCase, enums in kebab-case, and NaN or
// infinities as named literals, since undefined metrics (an AUROC with one class) are real values here. The campaign file
// (strict, no unknown keys), the report (undefined metrics as null) and message envelopes (MassTransit's) are their own.
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pipeline.Stages;

/// <summary>Serializer options of stored records and documents.</summary>
public static class StoredJson
{
    /// <summary>Compact: one record per line of a stage output, summaries, chunk figures.</summary>
    public static JsonSerializerOptions Lines { get; } = Create(indented: false);

    /// <summary>Indented: state and evaluation documents.</summary>
    public static JsonSerializerOptions Document { get; } = Create(indented: true);

    private static JsonSerializerOptions Create(bool indented) => new(JsonSerializerDefaults.Web)
    {
        WriteIndented = indented,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false) },
    };
}
