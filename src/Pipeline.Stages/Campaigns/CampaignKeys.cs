// Every store key of a campaign, in one place, so stages, orchestrator, CLI and reports agree on where things live and a
// person can browse a campaign in a folder or in Storage Explorer.
using System.Globalization;
using System.Text.RegularExpressions;

namespace Pipeline.Stages.Campaigns;

/// <summary>Store keys and key prefixes of campaigns and their checkpoints.</summary>
public static partial class CampaignKeys
{
    /// <summary>File name of a stage output shard's summary, next to the shard's jsonl.</summary>
    public const string SummarySuffix = ".summary.json";

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="campaignId"/> is 1–63 lowercase letters, digits and '-', starting with a letter or digit.</summary>
    public static void ValidateId(string campaignId)
    {
        ArgumentNullException.ThrowIfNull(campaignId);
        if (!IdPattern().IsMatch(campaignId))
            throw new ArgumentException($"Campaign id '{campaignId}' must be 1 to 63 lowercase letters, digits and '-', starting with a letter or digit.", nameof(campaignId));
    }

    /// <summary>Whether <paramref name="campaignId"/> is a valid id.</summary>
    public static bool IsValidId(string campaignId) => campaignId is not null && IdPattern().IsMatch(campaignId);

    /// <summary><c>campaigns/</c>: the prefix of every campaign.</summary>
    public const string CampaignsRoot = "campaigns/";

    /// <summary><c>campaigns/{id}/</c>.</summary>
    public static string CampaignPrefix(string campaignId) => $"{CampaignsRoot}{Checked(campaignId)}/";

    /// <summary><c>campaigns/{id}/campaign.json</c>: the campaign file as validated (immutable after start).</summary>
    public static string Definition(string campaignId) => CampaignPrefix(campaignId) + "campaign.json";

    /// <summary><c>campaigns/{id}/state.json</c>: the orchestrator's state (an ETag-guarded document).</summary>
    public static string State(string campaignId) => CampaignPrefix(campaignId) + "state.json";

    /// <summary><c>campaigns/{id}/iter-{n}/</c>.</summary>
    public static string IterationPrefix(string campaignId, int iteration) =>
        CampaignPrefix(campaignId) + "iter-" + NonNegative(iteration, nameof(iteration)) + "/";

    /// <summary><c>campaigns/{id}/iter-{n}/{stage}/</c>.</summary>
    public static string StagePrefix(string campaignId, int iteration, CampaignStage stage) =>
        IterationPrefix(campaignId, iteration) + stage.Name() + "/";

    /// <summary><c>campaigns/{id}/iter-{n}/{stage}/shard-{k}.jsonl</c>: a per-shard stage output (written create-only).</summary>
    public static string ShardOutput(string campaignId, int iteration, CampaignStage stage, int shard)
    {
        if (stage is CampaignStage.Update or CampaignStage.Evaluation)
            throw new ArgumentException($"Stage {stage.Name()} has no per-shard output.", nameof(stage));
        return StagePrefix(campaignId, iteration, stage) + "shard-" + NonNegative(shard, nameof(shard)) + ".jsonl";
    }

    /// <summary>The summary document of a shard output: the output key with <c>.jsonl</c> replaced by <see cref="SummarySuffix"/>.</summary>
    public static string ShardSummary(string shardOutputKey)
    {
        ArgumentNullException.ThrowIfNull(shardOutputKey);
        if (!shardOutputKey.EndsWith(".jsonl", StringComparison.Ordinal))
            throw new ArgumentException($"'{shardOutputKey}' is not a shard output key.", nameof(shardOutputKey));
        return shardOutputKey[..^".jsonl".Length] + SummarySuffix;
    }

    /// <summary><c>campaigns/{id}/iter-{n}/update/chunk-{j}/</c>: the trainer state after chunk j (a checkpoint).</summary>
    public static string UpdateChunk(string campaignId, int iteration, int chunk) =>
        StagePrefix(campaignId, iteration, CampaignStage.Update) + "chunk-" + NonNegative(chunk, nameof(chunk)) + "/";

    /// <summary><c>campaigns/{id}/iter-{n}/evaluation.json</c>: the evaluation of the policy after iteration n (0: the base model).</summary>
    public static string Evaluation(string campaignId, int iteration) => IterationPrefix(campaignId, iteration) + "evaluation.json";

    /// <summary><c>checkpoints/{id}/</c>.</summary>
    public static string CheckpointsPrefix(string campaignId) => $"checkpoints/{Checked(campaignId)}/";

    /// <summary><c>checkpoints/{id}/iter-{n}/</c>: the policy after iteration n (iter-0: the base model copied in at start).</summary>
    public static string Policy(string campaignId, int iteration) =>
        CheckpointsPrefix(campaignId) + "iter-" + NonNegative(iteration, nameof(iteration)) + "/";

    /// <summary>
    /// Reads a per-shard output key (<c>campaigns/{id}/iter-{n}/{stage}/shard-{k}.jsonl</c>) back into its parts; false for
    /// any other key (summaries, chunks, documents).
    /// </summary>
    public static bool TryParseShardOutput(string key, out string campaignId, out int iteration, out CampaignStage stage, out int shard)
    {
        campaignId = "";
        iteration = shard = 0;
        stage = default;
        var match = ShardPattern().Match(key ?? "");
        if (!match.Success || CampaignStages.TryParse(match.Groups["stage"].Value) is not { } parsed) return false;
        campaignId = match.Groups["id"].Value;
        iteration = int.Parse(match.Groups["iter"].Value, CultureInfo.InvariantCulture);
        shard = int.Parse(match.Groups["shard"].Value, CultureInfo.InvariantCulture);
        stage = parsed;
        return true;
    }

    private static string Checked(string campaignId)
    {
        ValidateId(campaignId);
        return campaignId;
    }

    private static string NonNegative(int value, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value, name);
        return value.ToString(CultureInfo.InvariantCulture);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex IdPattern();

    [GeneratedRegex(@"^campaigns/(?<id>[a-z0-9][a-z0-9-]{0,62})/iter-(?<iter>[0-9]{1,9})/(?<stage>[a-z]+)/shard-(?<shard>[0-9]{1,9})\.jsonl$")]
    private static partial Regex ShardPattern();
}
