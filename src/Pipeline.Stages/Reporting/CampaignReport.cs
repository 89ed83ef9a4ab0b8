// What a campaign report shows, read from the store: the campaign's recipe and status when those documents exist, the
// held-out metrics of every evaluated policy (campaigns/{id}/iter-{n}/evaluation.json, n = 0 being the base model), and
// the judging stage's unreadable verdicts per iteration (state.json's shard summaries): the held-out evaluation judges
// by verdict probability, which cannot fail to parse, so the campaign's own sampled verdicts are where failures show.
// Every document is read by the code that owns it (CampaignFiles, CampaignStateStore, EvaluationWork), so the report
// reads exactly what the stages and the orchestrator write. An unreadable definition or state becomes a note; an
// unreadable evaluation is an error, since the metrics are the report.
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Pipeline.Contracts;
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Orchestration;
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

/// <summary>Seconds of compute per stage in one iteration (see <see cref="IterationState.StageSeconds"/>).</summary>
/// <param name="Iteration">Iteration (0: only the base model's evaluation).</param>
/// <param name="Seconds">Seconds by stage name.</param>
public sealed record StageSeconds(int Iteration, IReadOnlyDictionary<string, double> Seconds);

/// <summary>A campaign's per-iteration metrics and the little about the campaign needed to read them.</summary>
/// <param name="CampaignId">Campaign id.</param>
/// <param name="Recipe">Recipe name from campaign.json, or null when that file is missing or unreadable.</param>
/// <param name="PlannedIterations">Iterations the campaign file asks for, or null when unknown.</param>
/// <param name="Status">The status in state.json (<c>running</c>, <c>completed</c> ...), or null when absent or unreadable.</param>
/// <param name="Iterations">Evaluated iterations in increasing order.</param>
/// <param name="Notes">Problems met while reading optional documents, one line each.</param>
public sealed partial record CampaignReport(string CampaignId, string? Recipe, int? PlannedIterations, string? Status,
    IReadOnlyList<IterationMetrics> Iterations, IReadOnlyList<string> Notes)
{
    /// <summary>Unreadable judge verdicts per iteration that ran a judging stage, in increasing order; empty without one.</summary>
    public IReadOnlyList<JudgeParseCount> JudgeParseFailures { get; init; } = [];

    /// <summary>Compute seconds per stage and iteration, from the state document; empty when it has none.</summary>
    public IReadOnlyList<StageSeconds> Timing { get; init; } = [];

    /// <summary>
    /// Reads the report of <paramref name="campaignId"/> from <paramref name="store"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The id is not a valid campaign id.</exception>
    /// <exception cref="KeyNotFoundException">The store has nothing under the campaign's prefix.</exception>
    /// <exception cref="InvalidDataException">An evaluation.json is not an evaluation report.</exception>
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

        var (status, judgeParseFailures, timing) = await ReadStateAsync(store, campaignId, notes, cancellationToken);

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
            // Gone between listing and reading (a campaign being deleted): nothing to show for it.
            if (await EvaluationWork.TryReadAsync(store, key, cancellationToken) is { } evaluation)
                iterations.Add(new IterationMetrics(iteration, evaluation.Difficulties));
        }
        iterations.Sort((a, b) => a.Iteration.CompareTo(b.Iteration));
        return new CampaignReport(campaignId, recipe, planned, status, iterations, notes) { JudgeParseFailures = judgeParseFailures, Timing = timing };
    }

    /// <summary>Options for the report's own JSON: camelCase, indented, undefined metrics as null.</summary>
    public static JsonSerializerOptions WriteOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new NullForNonFinite() },
    };

    static async Task<(string? Status, List<JudgeParseCount> JudgeParseFailures, List<StageSeconds> Timing)> ReadStateAsync(IObjectStore store, string campaignId,
        List<string> notes, CancellationToken cancellationToken)
    {
        CampaignState? state;
        try
        {
            state = await new CampaignStateStore(store).ReadAsync(campaignId, cancellationToken);
        }
        catch (InvalidDataException e)
        {
            notes.Add($"{CampaignKeys.State(campaignId)} is not a readable state document: {e.Message}");
            return (null, [], []);
        }
        if (state is null)
            return (null, [], []);
        var counts = new List<JudgeParseCount>();
        foreach (var iteration in state.IterationStates)
        {
            if (!iteration.ShardSummaries.TryGetValue(CampaignStage.Judging.Name(), out var shards))
                continue;
            counts.Add(new JudgeParseCount(iteration.Iteration,
                shards.Values.Sum(summary => summary.GetValueOrDefault("parse_failures")),
                shards.Values.Sum(summary => summary.GetValueOrDefault("judge_samples"))));
        }
        counts.Sort((a, b) => a.Iteration.CompareTo(b.Iteration));
        var timing = state.IterationStates.OrderBy(i => i.Iteration).Select(i => new StageSeconds(i.Iteration, i.StageSeconds()))
            .Where(t => t.Seconds.Count > 0).ToList();
        return (CampaignJson.EnumName(state.Status), counts, timing);
    }

    [GeneratedRegex(@"^iter-(?<n>[0-9]{1,9})/evaluation\.json$")]
    private static partial Regex EvaluationKey();

    /// <summary>Writes NaN and infinities as null (JSON has no such numbers) and reads null back as NaN.</summary>
    sealed class NullForNonFinite : JsonConverter<double>
    {
        public override bool HandleNull => true;

        public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble();

        public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
        {
            if (double.IsFinite(value))
                writer.WriteNumberValue(value);
            else
                writer.WriteNullValue();
        }
    }
}
