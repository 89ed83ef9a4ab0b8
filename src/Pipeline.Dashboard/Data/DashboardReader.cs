// Reads what the pages show, each document through the code that owns it: campaign states through CampaignService and
// CampaignStateStore, evaluations and judge counts through CampaignReport (as `pipeline report` reads them), campaign
// files through CampaignDefinitionCache, stage outputs through ShardStore at the keys of CampaignKeys. An address that
// names something the store does not have is a KeyNotFoundException whose message says what is missing (a 404 page).
using System.Collections.Concurrent;
using Pipeline.Contracts;
using Pipeline.Learning.Tasks;
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Consumers;
using Pipeline.Stages.Orchestration;
using Pipeline.Stages.Reporting;
using Pipeline.Stages.Work;
using Pipeline.Storage;

namespace Pipeline.Dashboard.Data;

/// <summary>Loads the dashboard's views from the store.</summary>
internal sealed class DashboardReader(IObjectStore store, CampaignService campaigns, CampaignStateStore states, ShardStore shards,
    CampaignDefinitionCache definitions, CampaignEventLog events)
{
    readonly ConcurrentDictionary<string, IReadOnlyDictionary<string, string>> _goldAnswers = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, TaskEncoding> _encodings = new(StringComparer.Ordinal);

    /// <summary>Every campaign, oldest first.</summary>
    public async Task<IReadOnlyList<CampaignSummary>> ListAsync(CancellationToken cancellationToken) =>
        (await campaigns.ListAsync(cancellationToken)).Select(s => new CampaignSummary(s, events.Last(s.CampaignId))).ToList();

    /// <summary>The state of <paramref name="campaignId"/>, the cheap read a live page polls to learn whether anything changed.</summary>
    /// <exception cref="KeyNotFoundException">No such campaign.</exception>
    public async Task<CampaignState> StateAsync(string campaignId, CancellationToken cancellationToken) =>
        (CampaignKeys.IsValidId(campaignId) ? await states.ReadAsync(campaignId, cancellationToken) : null)
        ?? throw new KeyNotFoundException($"No campaign '{campaignId}' in the store.");

    /// <summary>Everything the campaign page shows.</summary>
    /// <exception cref="KeyNotFoundException">No such campaign.</exception>
    public async Task<CampaignView> CampaignAsync(string campaignId, CancellationToken cancellationToken)
    {
        var state = await StateAsync(campaignId, cancellationToken);
        var report = await CampaignReport.LoadAsync(store, campaignId, cancellationToken);
        return new CampaignView(state, report, await TryDefinitionAsync(campaignId, cancellationToken), events.Last(campaignId));
    }

    /// <summary>The stored outputs of <paramref name="stageName"/> in <paramref name="iteration"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such campaign, iteration or stage.</exception>
    public async Task<StageOutputView> StageOutputAsync(string campaignId, int iteration, string stageName, CancellationToken cancellationToken)
    {
        var state = await StateAsync(campaignId, cancellationToken);
        var definition = await TryDefinitionAsync(campaignId, cancellationToken)
            ?? throw new KeyNotFoundException($"Campaign '{campaignId}' has no readable campaign.json, so its stages are unknown.");
        var stage = CampaignStages.TryParse(stageName) is { } parsed && (definition.Chain.ShardStages.Contains(parsed) || parsed is CampaignStage.Update or CampaignStage.Evaluation)
            ? parsed
            : throw new KeyNotFoundException($"Campaign '{campaignId}' ({definition.Recipe.Name()}) has no stage '{stageName}'; its stages are "
                + $"{string.Join(", ", definition.Chain.ShardStages.Select(s => s.Name()))}, update and evaluation.");
        var first = stage == CampaignStage.Evaluation ? 0 : 1;
        if (iteration < first || iteration > definition.Iterations)
            throw new KeyNotFoundException($"Campaign '{campaignId}' has no iteration {iteration} for {stage.Name()}; it runs iterations "
                + $"{first} to {definition.Iterations}{(first == 0 ? " (0 evaluates the base model)" : "")}.");

        var record = state.IterationStates.FirstOrDefault(i => i.Iteration == iteration);
        IReadOnlyList<CampaignStage> stages = [.. definition.Chain.ShardStages, CampaignStage.Update, CampaignStage.Evaluation];
        switch (stage)
        {
            case CampaignStage.Update:
                var chunks = (record?.ChunkMetrics ?? []).OrderBy(c => c.Key).Select(c => new ChunkRow(c.Key, c.Value)).ToList();
                return new StageOutputView(campaignId, iteration, stage, [], [], [], chunks, []) { CampaignStages = stages, Iterations = definition.Iterations };
            case CampaignStage.Evaluation:
                return new StageOutputView(campaignId, iteration, stage, [], [], [], [], record?.Evaluation ?? []) { CampaignStages = stages, Iterations = definition.Iterations };
        }

        var statuses = new List<ShardOutputStatus>();
        var rollouts = new List<RolloutRow>();
        var pairs = new List<PairRow>();
        var gold = stage == CampaignStage.Pairs ? null : GoldAnswers(campaignId, definition);
        var encoding = Encoding(definition);
        for (var shard = 0; shard < definition.Shards; shard++)
        {
            var key = CampaignKeys.ShardOutput(campaignId, iteration, stage, shard);
            if (stage == CampaignStage.Pairs)
            {
                var stored = await shards.TryReadAsync<PreferencePairRecord>(key, cancellationToken);
                statuses.Add(new ShardOutputStatus(shard, key, stored is not null, stored?.Summary ?? new Dictionary<string, double>()));
                pairs.AddRange(stored?.Records.Select(p => new PairRow(shard, p)) ?? []);
            }
            else
            {
                var stored = await shards.TryReadAsync<Rollout>(key, cancellationToken);
                statuses.Add(new ShardOutputStatus(shard, key, stored is not null, stored?.Summary ?? new Dictionary<string, double>()));
                rollouts.AddRange(stored?.Records.Select(r => Row(shard, r, gold!, encoding)) ?? []);
            }
        }
        return new StageOutputView(campaignId, iteration, stage, statuses, rollouts, pairs, [], []) { CampaignStages = stages, Iterations = definition.Iterations };
    }

    static RolloutRow Row(int shard, Rollout rollout, IReadOnlyDictionary<string, string> gold, TaskEncoding encoding)
    {
        var answer = rollout.GoldAnswer ?? gold.GetValueOrDefault(rollout.PromptId);
        return new RolloutRow(shard, rollout, answer, answer is null ? null : rollout.Answer == answer, TokenViews.From(rollout, encoding));
    }

    /// <summary>The task's encoding, which spells each token of the campaign's responses.</summary>
    TaskEncoding Encoding(CampaignDefinition definition) =>
        _encodings.GetOrAdd(definition.Task, name => TaskEncoding.ForTask(TaskRegistry.Get(name)));

    /// <summary>The task's answers to the campaign prompts by prompt id: the task knows them even when the recipe is label-free.</summary>
    IReadOnlyDictionary<string, string> GoldAnswers(string campaignId, CampaignDefinition definition) =>
        _goldAnswers.GetOrAdd(campaignId, _ => CampaignPrompts.Splits(definition).Campaign.ToDictionary(p => p.Id, p => p.Answer, StringComparer.Ordinal));

    async Task<CampaignDefinition?> TryDefinitionAsync(string campaignId, CancellationToken cancellationToken)
    {
        try
        {
            return await definitions.GetAsync(campaignId, cancellationToken);
        }
        catch (Exception e) when (e is ObjectNotFoundException or CampaignDefinitionException)
        {
            return null;
        }
    }
}
