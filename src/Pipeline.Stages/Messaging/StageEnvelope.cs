// Reads a message body as MassTransit's JSON envelope puts it on the broker ({ messageId, messageType: [urn...],
// sentTime, headers, message }) and maps its message type back to a Pipeline.Contracts record, so tools can show a
// queued message without a bus. Faults (urn:message:MassTransit:Fault[[Pipeline.Contracts:X]]) carry the original
// message and the exceptions; both are exposed.
using System.Text.Json;
using System.Text.Json.Serialization;
using Pipeline.Contracts;

namespace Pipeline.Stages.Messaging;

/// <summary>A decoded MassTransit envelope.</summary>
public sealed class StageEnvelope
{
    const string UrnPrefix = "urn:message:";
    const string ContractsNamespace = "Pipeline.Contracts";
    const string FaultPrefix = "MassTransit:Fault[[";

    /// <summary>
    /// How Contracts records are read from an envelope: web defaults (camelCase, case-insensitive) as MassTransit writes
    /// them, plus NaN/Infinity spelled as strings, which is how a serializer that allows them writes undefined metrics.
    /// </summary>
    public static JsonSerializerOptions ContractJson { get; } = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    StageEnvelope(string? messageId, DateTimeOffset? sentTime, IReadOnlyList<string> messageTypes, JsonElement message)
    {
        MessageId = messageId;
        SentTime = sentTime;
        MessageTypes = messageTypes;
        Message = message;
        var primary = messageTypes.Count > 0 ? messageTypes[0] : "";
        var name = primary.StartsWith(UrnPrefix, StringComparison.Ordinal) ? primary[UrnPrefix.Length..] : primary;
        if (name.StartsWith(FaultPrefix, StringComparison.Ordinal) && name.EndsWith("]]", StringComparison.Ordinal))
        {
            IsFault = true;
            name = name[FaultPrefix.Length..^2];
        }
        ContractType = ResolveContract(name);
        TypeName = ShortName(name) is { Length: > 0 } shortName ? (IsFault ? $"Fault<{shortName}>" : shortName) : "(unknown)";
    }

    /// <summary>MassTransit's message id, when the envelope has one.</summary>
    public string? MessageId { get; }

    /// <summary>When the message was sent, when the envelope says.</summary>
    public DateTimeOffset? SentTime { get; }

    /// <summary>The envelope's message type URNs, most specific first.</summary>
    public IReadOnlyList<string> MessageTypes { get; }

    /// <summary>The envelope's <c>message</c> object (for a fault: the fault, whose <c>message</c> is the original).</summary>
    public JsonElement Message { get; }

    /// <summary>Whether this is a MassTransit <c>Fault&lt;T&gt;</c>.</summary>
    public bool IsFault { get; }

    /// <summary>Short type name: <c>GenerateRollouts</c>, <c>Fault&lt;ScoreRollouts&gt;</c>, or <c>(unknown)</c>.</summary>
    public string TypeName { get; }

    /// <summary>The Contracts record the message (for a fault: the faulted message) is, or null when it is not one.</summary>
    public Type? ContractType { get; }

    /// <summary>For a fault, the exception messages it carries, outermost first; otherwise empty.</summary>
    public IReadOnlyList<string> FaultMessages => IsFault && Message.ValueKind == JsonValueKind.Object
        && Message.TryGetProperty("exceptions", out var exceptions) && exceptions.ValueKind == JsonValueKind.Array
        ? exceptions.EnumerateArray()
            .Select(e => e.TryGetProperty("message", out var text) ? text.GetString() ?? "" : "")
            .ToList()
        : [];

    /// <summary>The JSON of the Contracts message: <see cref="Message"/>, or for a fault the original message inside it.</summary>
    public JsonElement ContractJsonElement => IsFault && Message.ValueKind == JsonValueKind.Object
        && Message.TryGetProperty("message", out var inner) ? inner : Message;

    /// <summary>Reads a message body; a body that is JSON but not an envelope is taken as a bare message of unknown type.</summary>
    /// <exception cref="InvalidDataException">The body is not JSON.</exception>
    public static StageEnvelope Parse(ReadOnlyMemory<byte> body)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(body);
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The message body is not JSON: {e.Message}", e);
        }

        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("message", out var message))
            return new StageEnvelope(null, null, [], root);

        var types = root.TryGetProperty("messageType", out var typeArray) && typeArray.ValueKind == JsonValueKind.Array
            ? typeArray.EnumerateArray().Select(t => t.GetString() ?? "").ToList()
            : [];
        var messageId = root.TryGetProperty("messageId", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
        DateTimeOffset? sent = root.TryGetProperty("sentTime", out var time) && time.ValueKind == JsonValueKind.String
            && time.TryGetDateTimeOffset(out var parsed) ? parsed : null;
        return new StageEnvelope(messageId, sent, types, message);
    }

    /// <summary>The Contracts record of the message (for a fault: the faulted message), or null when the type is not one.</summary>
    /// <exception cref="InvalidDataException">The JSON does not fit the record.</exception>
    public object? DecodeContract()
    {
        if (ContractType is null)
            return null;
        try
        {
            return ContractJsonElement.Deserialize(ContractType, ContractJson);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Message {MessageId} is not a valid {ContractType.Name}: {e.Message}", e);
        }
    }

    static Type? ResolveContract(string name)
    {
        // "Pipeline.Contracts:GenerateRollouts"; only concrete records are decoded, never an interface such as IShardMessage.
        var colon = name.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0 || name[..colon] != ContractsNamespace)
            return null;
        var type = typeof(Rollout).Assembly.GetType($"{ContractsNamespace}.{name[(colon + 1)..]}");
        return type is { IsClass: true, IsAbstract: false } ? type : null;
    }

    static string ShortName(string name)
    {
        var colon = name.LastIndexOf(':');
        return colon < 0 ? name : name[(colon + 1)..];
    }
}
