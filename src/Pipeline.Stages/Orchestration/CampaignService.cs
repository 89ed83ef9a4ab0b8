// What an operator does to campaigns, in one place for the CLI (and any other front end): start one from a validated
// definition and a base model folder, read its state, list them, cancel and resume. Starting writes everything the
// orchestrator needs into the store (campaign.json, the base model as checkpoints/{id}/iter-0/, the first state) and
// only then nudges it, so a lost nudge is repaired by the periodic reconcile.
using System.Globalization;
using Pipeline.Contracts;
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Messaging;
using Pipeline.Stages.Work;
using Pipeline.Storage;
using Pipeline.Storage.Checkpoints;

namespace Pipeline.Stages.Orchestration;

/// <summary>Starts, inspects, cancels and resumes campaigns.</summary>
/// <param name="store">The object store.</param>
/// <param name="checkpoints">Checkpoints over the same store.</param>
/// <param name="states">Campaign state documents.</param>
/// <param name="sender">Sends the nudge to the orchestrator; only <see cref="StartAsync"/> and <see cref="ResumeAsync"/> need it.</param>
/// <param name="clock">Clock of the recorded times.</param>
public sealed class CampaignService(IObjectStore store, CheckpointStore checkpoints, CampaignStateStore states,
    ICampaignCommandSender? sender = null, TimeProvider? clock = null)
{
    static readonly string[] ModelFiles = ["config.json", "tokenizer.json"];
    readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>A fresh campaign id: the recipe's name and the UTC time, e.g. <c>intuitor-20250101-120000</c>.</summary>
    public string NewId(CampaignDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return definition.Recipe.Name() + "-" + _clock.GetUtcNow().ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Starts a campaign: validates the definition and the base model folder, stores campaign.json, uploads the base model
    /// to <c>checkpoints/{id}/iter-0/</c>, writes the first state and sends <see cref="AdvanceCampaign"/>. Returns the id.
    /// </summary>
    /// <exception cref="CampaignDefinitionException">The definition is invalid.</exception>
    /// <exception cref="DirectoryNotFoundException">The base model folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">The base model folder lacks config.json or tokenizer.json.</exception>
    /// <exception cref="ArgumentException">The id is not a valid campaign id.</exception>
    /// <exception cref="InvalidOperationException">A campaign with this id exists already.</exception>
    public async Task<string> StartAsync(CampaignDefinition definition, string baseModelDirectory, string? campaignId = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentException.ThrowIfNullOrEmpty(baseModelDirectory);
        var id = campaignId ?? NewId(definition);
        CampaignKeys.ValidateId(id);
        definition.Validate();
        ValidateBaseModel(baseModelDirectory);
        if (await states.ReadAsync(id, cancellationToken) is not null)
            throw new InvalidOperationException($"Campaign '{id}' exists already; pick another --id, or resume it.");

        await CampaignFiles.WriteDefinitionAsync(store, id, definition, cancellationToken);
        await checkpoints.SaveAsync(CampaignKeys.Policy(id, 0), baseModelDirectory, cancellationToken);
        var now = _clock.GetUtcNow();
        try
        {
            await states.CreateAsync(new CampaignState
            {
                CampaignId = id,
                Recipe = definition.Recipe.Name(),
                Iterations = definition.Iterations,
                CreatedAt = now,
            }, cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            throw new InvalidOperationException($"Campaign '{id}' was started by someone else at the same time.");
        }
        await Sender().SendAsync(new AdvanceCampaign(id), StageQueues.Orchestrator, cancellationToken);
        return id;
    }

    /// <summary>The state of <paramref name="campaignId"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such campaign.</exception>
    public async Task<CampaignState> StatusAsync(string campaignId, CancellationToken cancellationToken = default) =>
        await ReadExistingAsync(campaignId, cancellationToken);

    /// <summary>Every campaign's state, oldest first.</summary>
    public async Task<IReadOnlyList<CampaignState>> ListAsync(CancellationToken cancellationToken = default)
    {
        var result = new List<CampaignState>();
        foreach (var id in await states.ListIdsAsync(cancellationToken))
        {
            if (await states.ReadAsync(id, cancellationToken) is { } state)
                result.Add(state);
        }
        return result.OrderBy(s => s.CreatedAt).ThenBy(s => s.CampaignId, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Cancels a running campaign: the orchestrator dispatches nothing more for it. Work already queued finishes and its
    /// outputs are kept, so <see cref="ResumeAsync"/> continues where it stopped. A completed campaign stays completed.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No such campaign.</exception>
    public async Task<CampaignState> CancelAsync(string campaignId, CancellationToken cancellationToken = default)
    {
        await ReadExistingAsync(campaignId, cancellationToken);
        return await states.UpdateAsync(campaignId, state =>
        {
            if (state.Status != CampaignStatus.Running)
                return false;
            state.Status = CampaignStatus.Cancelled;
            return true;
        }, cancellationToken);
    }

    /// <summary>
    /// Resumes a campaign: a cancelled one becomes running again, and the orchestrator is asked to reconcile with
    /// redispatch, so work that was sent but never finished (lost with a dead worker or a purged queue) is sent again.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No such campaign.</exception>
    public async Task<CampaignState> ResumeAsync(string campaignId, CancellationToken cancellationToken = default)
    {
        await ReadExistingAsync(campaignId, cancellationToken);
        var state = await states.UpdateAsync(campaignId, current =>
        {
            if (current.Status != CampaignStatus.Cancelled)
                return false;
            current.Status = CampaignStatus.Running;
            return true;
        }, cancellationToken);
        if (state.Status == CampaignStatus.Running)
            await Sender().SendAsync(new AdvanceCampaign(campaignId, Redispatch: true), StageQueues.Orchestrator, cancellationToken);
        return state;
    }

    async Task<CampaignState> ReadExistingAsync(string campaignId, CancellationToken cancellationToken)
    {
        if (!CampaignKeys.IsValidId(campaignId))
            throw new ArgumentException($"'{campaignId}' is not a campaign id (lowercase letters, digits and '-').");
        return await states.ReadAsync(campaignId, cancellationToken)
            ?? throw new KeyNotFoundException($"No campaign '{campaignId}' in the store.");
    }

    ICampaignCommandSender Sender() =>
        sender ?? throw new InvalidOperationException("This campaign service has no bus to send through.");

    /// <summary>Checks that <paramref name="directory"/> looks like a model folder (config.json, tokenizer.json, weights).</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    public static void ValidateBaseModel(string directory)
    {
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"Base model folder '{directory}' does not exist.");
        foreach (var file in ModelFiles)
        {
            if (!File.Exists(Path.Combine(directory, file)))
                throw new FileNotFoundException($"Base model folder '{directory}' has no {file}.");
        }
        if (!Directory.EnumerateFiles(directory, "*.safetensors").Any())
            throw new FileNotFoundException($"Base model folder '{directory}' has no .safetensors weights.");
    }
}
