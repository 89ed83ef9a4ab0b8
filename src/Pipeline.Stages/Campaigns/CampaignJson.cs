// Strict reading of campaign files: before System.Text.Json binds anything, every key and value kind is checked against
// the definition's properties, so an unknown key or a wrong type is reported by its dotted path rather than by a
// serializer message. The serializer options (camelCase, kebab-case enums, unmapped members disallowed, numbers only as
// numbers) are the same ones used to write campaign.json.
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Pipeline.Stages.Campaigns;

internal static class CampaignJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.Strict,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false) },
    };

    /// <summary>Kebab-case name of an enum value, as files spell it.</summary>
    public static string EnumName<T>(T value) where T : struct, Enum => JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());

    /// <summary>Throws <see cref="CampaignDefinitionException"/> for the first key or value that does not fit <paramref name="type"/>.</summary>
    public static void Check(JsonObject json, Type type, string path)
    {
        var properties = Bindable(type);
        foreach (var (key, value) in json)
        {
            string keyPath = path.Length == 0 ? key : path + "." + key;
            if (!properties.TryGetValue(key, out var property))
                throw new CampaignDefinitionException(keyPath,
                    $"unknown key '{keyPath}' (known{(path.Length == 0 ? "" : " in '" + path + "'")}: {string.Join(", ", properties.Keys)}).");
            CheckValue(value, property.PropertyType, keyPath, IsNullable(property));
        }
    }

    private static void CheckValue(JsonNode? value, Type type, string path, bool nullable)
    {
        if (value is null)
        {
            if (nullable) return;
            throw new CampaignDefinitionException(path, $"'{path}' must not be null (expected {Describe(type)}).");
        }
        type = Nullable.GetUnderlyingType(type) ?? type;
        bool ok = value.GetValueKind() switch
        {
            JsonValueKind.Number when type == typeof(int) => value.AsValue().TryGetValue<int>(out _) || IsIntegral(value),
            JsonValueKind.Number => type == typeof(double),
            JsonValueKind.String when type.IsEnum => EnumNames(type).Contains(value.GetValue<string>()),
            JsonValueKind.String => type == typeof(string),
            JsonValueKind.True or JsonValueKind.False => type == typeof(bool),
            JsonValueKind.Object => IsSection(type),
            JsonValueKind.Array => ElementType(type) is not null,
            _ => false,
        };
        if (!ok)
            throw new CampaignDefinitionException(path, $"'{path}' must be {Describe(type)}, got {Show(value)}.");
        if (value is JsonObject section) Check(section, type, path);
        if (value is JsonArray array)
        {
            var element = ElementType(type)!;
            for (int i = 0; i < array.Count; i++) CheckValue(array[i], element, $"{path}[{i}]", nullable: false);
        }
    }

    private static bool IsIntegral(JsonNode value)
    {
        // 3.0 is not accepted as an integer by the serializer either; only plain integers in range pass.
        return value.AsValue().TryGetValue<long>(out long l) && l is >= int.MinValue and <= int.MaxValue;
    }

    private static Dictionary<string, PropertyInfo> Bindable(Type type) => type
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.SetMethod is { IsPublic: true } && p.GetCustomAttribute<JsonIgnoreAttribute>() is null)
        .ToDictionary(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name), StringComparer.Ordinal);

    private static bool IsSection(Type type) => type.IsClass && type != typeof(string) && type.Namespace == typeof(CampaignJson).Namespace;

    private static Type? ElementType(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>) ? type.GetGenericArguments()[0] : null;

    private static bool IsNullable(PropertyInfo property) =>
        new NullabilityInfoContext().Create(property).WriteState == NullabilityState.Nullable;

    private static IEnumerable<string> EnumNames(Type type) =>
        Enum.GetNames(type).Select(JsonNamingPolicy.KebabCaseLower.ConvertName);

    private static string Describe(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(int)) return "an integer";
        if (type == typeof(double)) return "a number";
        if (type == typeof(string)) return "a string";
        if (type == typeof(bool)) return "true or false";
        if (type.IsEnum) return "one of " + string.Join(", ", EnumNames(type));
        if (ElementType(type) is { } element) return "an array of " + Describe(element).Replace("an ", "", StringComparison.Ordinal).Replace("a ", "", StringComparison.Ordinal) + "s";
        return "an object";
    }

    private static string Show(JsonNode value)
    {
        string text = value.ToJsonString();
        return text.Length <= 40 ? text : text[..37] + "...";
    }
}
