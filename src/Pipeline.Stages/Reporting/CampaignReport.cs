// What a campaign report shows, read from the store: the campaign's recipe and status when those documents exist, the
// held-out metrics of every evaluated policy (campaigns/{id}/iter-{n}/evaluation.json, n = 0 being the base model), and
// the judging stage's unreadable verdicts per iteration (state.json's shard summaries): the held-out evaluation judges
// by verdict probability, which cannot fail to parse, so the campaign's own sampled verdicts are where failures show.
// Reading is tolerant of what the report does not need (extra fields, a state document of any shape), strict about the
// metrics themselves.
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Pipeline.Contracts;
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Work;
using Pipeline.Storage;

namespace Pipeline.Stages.Reporting;

/// <summary>The evaluation of the policy after one iteration.</summary>
/// <param name="Iteration">Iteration number; 0 is the base model.</param>
/// <param name="Difficulties">Metrics per held-out difficulty.</param>
public sealed record IterationMetrics(int Iteration, IReadOnlyList<DifficultyMetrics> Difficulties);

/// <summary>The judging stage's verdicts in one iteration: how many were sampled and how many could not be read.</summary>
/// <param name="Iteration">Iteration, from 1.</param>
/// <param name="Failures">Sampled verdicts without a readable score, summed over the iteration's shards.</param>
/// <param name="Verdicts">Verdicts sampled, summed over the iteration's shards.</param>
public sealed record JudgeParseCount(int Iteration, double Failures, double Verdicts);

/// <summary>A campaign's per-iteration metrics and the little about the campaign needed to read them.</summary>
/// <param name="CampaignId">Campaign id.</param>
/// <param name="Recipe">Recipe name from campaign.json, or null when that file is missing or unreadable.</param>
/// <param name="PlannedIterations">Iterations the campaign file asks for, or null when unknown.</param>
/// <param name="Status">The <c>status</c> field of state.json, or null when absent.</param>
/// <param name="Iterations">Evaluated iterations in increasing order.</param>
/// <param name="Notes">Problems met while reading optional documents, one line each.</param>
public sealed partial record CampaignReport(string CampaignId, string? Recipe, int? PlannedIterations, string? Status,
    IReadOnlyList<IterationMetrics> Iterations, IReadOnlyList<string> Notes)
{
    /// <summary>Unreadable judge verdicts per iteration that ran a judging stage, in increasing order; empty without one.</summary>
    public IReadOnlyList<JudgeParseCount> JudgeParseFailures { get; init; } = [];

    /// <summary>
    /// Reads the report of <paramref name="campaignId"/> from <paramref name="store"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The id is not a valid campaign id.</exception>
    /// <exception cref="KeyNotFoundException">The store has nothing under the campaign's prefix.</exception>
    /// <exception cref="InvalidDataException">An evaluation.json is not a list of DifficultyMetrics.</exception>
    public static async Task<CampaignReport> LoadAsync(IObjectStore store, string campaignId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        CampaignKeys.ValidateId(campaignId);
        var prefix = CampaignKeys.CampaignPrefix(campaignId);
        var keys = await store.ListAsync(prefix, cancellationToken);
        if (keys.Count == 0)
            throw new KeyNotFoundException($"Campaign '{campaignId}' not found: the store has nothing under {prefix}.");

        var notes = new List<string>();
        string? recipe = null;
        int? planned = null;
        if (keys.Contains(CampaignKeys.Definition(campaignId)))
        {
            try
            {
                var definition = await CampaignFiles.ReadDefinitionAsync(store, campaignId, cancellationToken);
                recipe = definition.Recipe.Name();
                planned = definition.Iterations;
            }
            catch (FormatException e)
            {
                notes.Add($"{CampaignKeys.Definition(campaignId)} is unreadable: {e.Message}");
            }
        }

        var (status, judgeParseFailures) = await ReadStateAsync(store, campaignId, notes, cancellationToken);

        var iterations = new List<IterationMetrics>();
        foreach (var key in keys)
        {
            var match = EvaluationKey().Match(key[prefix.Length..]);
            if (!match.Success)
                continue;
            var iteration = int.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture);
            // Only the canonical spelling counts (iter-01 is not iteration 1's file).
            if (key != CampaignKeys.Evaluation(campaignId, iteration))
                continue;
            iterations.Add(new IterationMetrics(iteration, await ReadEvaluationAsync(store, key, cancellationToken)));
        }
        iterations.Sort((a, b) => a.Iteration.CompareTo(b.Iteration));
        return new CampaignReport(campaignId, recipe, planned, status, iterations, notes) { JudgeParseFailures = judgeParseFailures };
    }

    /// <summary>
    /// Parses an evaluation document: a JSON list of <see cref="DifficultyMetrics"/> (camelCase), or an object whose
    /// <c>difficulties</c> property is that list. Undefined metrics may be null or the strings NaN/Infinity.
    /// </summary>
    /// <exception cref="InvalidDataException">The document has another shape or a metric is malformed.</exception>
    public static IReadOnlyList<DifficultyMetrics> ParseEvaluation(string source, ReadOnlySpan<byte> json)
    {
        try
        {
            using var document = JsonDocument.Parse(json.ToArray());
            var list = document.RootElement;
            if (list.ValueKind == JsonValueKind.Object)
            {
                list = list.EnumerateObject().FirstOrDefault(p => p.Name.Equals("difficulties", StringComparison.OrdinalIgnoreCase)).Value;
            }
            if (list.ValueKind != JsonValueKind.Array)
                throw new InvalidDataException($"{source}: expected a list of difficulty metrics (or an object with 'difficulties').");
            return list.Deserialize<List<DifficultyMetrics>>(ReadOptions) ?? [];
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: not a list of difficulty metrics ({e.Message}).", e);
        }
    }

    /// <summary>Options for the report's own JSON: camelCase, indented, undefined metrics as null.</summary>
    public static JsonSerializerOptions WriteOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new NullForNonFinite() },
    };

    static readonly JsonSerializerOptions ReadOptions = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals | JsonNumberHandling.AllowReadingFromString,
        Converters = { new NullForNonFinite() },
    };

    static async Task<IReadOnlyList<DifficultyMetrics>> ReadEvaluationAsync(IObjectStore store, string key, CancellationToken cancellationToken)
    {
        await using var stream = await store.OpenReadAsync(key, cancellationToken);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken);
        return ParseEvaluation(key, buffer.ToArray());
    }

    static async Task<(string? Status, List<JudgeParseCount> JudgeParseFailures)> ReadStateAsync(IObjectStore store, string campaignId,
        List<string> notes, CancellationToken cancellationToken)
    {
        var document = await store.ReadDocumentAsync(CampaignKeys.State(campaignId), cancellationToken);
        if (document is null)
            return (null, []);
        try
        {
            using var state = JsonDocument.Parse(document.Content);
            var root = state.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return (null, []);
            var status = Property(root, "status") is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;
            var counts = new List<JudgeParseCount>();
            if (Property(root, "iterationStates") is { ValueKind: JsonValueKind.Array } iterations)
            {
                foreach (var iteration in iterations.EnumerateArray())
                {
                    if (iteration.ValueKind != JsonValueKind.Object
                        || Property(iteration, "iteration") is not { ValueKind: JsonValueKind.Number } number
                        || Property(iteration, "shardSummaries") is not { ValueKind: JsonValueKind.Object } summaries
                        || Property(summaries, CampaignStage.Judging.Name()) is not { ValueKind: JsonValueKind.Object } shards)
                        continue;
                    double failures = 0, verdicts = 0;
                    foreach (var shard in shards.EnumerateObject())
                    {
                        failures += Number(shard.Value, "parse_failures");
                        verdicts += Number(shard.Value, "judge_samples");
                    }
                    counts.Add(new JudgeParseCount(number.GetInt32(), failures, verdicts));
                }
            }
            counts.Sort((a, b) => a.Iteration.CompareTo(b.Iteration));
            return (status, counts);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            notes.Add($"{CampaignKeys.State(campaignId)} is not a readable state document: {e.Message}");
            return (null, []);
        }
    }

    static JsonElement? Property(JsonElement element, string name) =>
        element.EnumerateObject().FirstOrDefault(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase)) is { Value.ValueKind: not JsonValueKind.Undefined } found
            ? found.Value
            : null;

    static double Number(JsonElement shard, string name) =>
        shard.ValueKind == JsonValueKind.Object && Property(shard, name) is { ValueKind: JsonValueKind.Number } value ? value.GetDouble() : 0;

    [GeneratedRegex(@"^iter-(?<n>[0-9]{1,9})/evaluation\.json$")]
    private static partial Regex EvaluationKey();

    /// <summary>Reads null (and, with named literals allowed, "NaN") as NaN; writes NaN and infinities as null.</summary>
    sealed class NullForNonFinite : JsonConverter<double>
    {
        public override bool HandleNull => true;

        public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Null)
                return double.NaN;
            if (reader.TokenType == JsonTokenType.String)
            {
                var text = reader.GetString();
                return text switch
                {
                    "NaN" => double.NaN,
                    "Infinity" => double.PositiveInfinity,
                    "-Infinity" => double.NegativeInfinity,
                    _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed)
                        ? parsed
                        : throw new JsonException($"'{text}' is not a number."),
                };
            }
            return reader.GetDouble();
        }

        public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
        {
            if (double.IsFinite(value))
                writer.WriteNumberValue(value);
            else
                writer.WriteNullValue();
        }
    }
}
