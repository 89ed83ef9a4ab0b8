// Reads and writes campaigns/{id}/state.json with optimistic concurrency: every change is a function applied to the
// freshly read document and written If-Match its ETag; when another orchestrator wrote first, the change is recomputed
// on the newer document. The mutation must therefore be a pure function of the document it is given.
using System.Text.Json;
using System.Text.Json.Serialization;
using Pipeline.Stages.Campaigns;
using Pipeline.Storage;

namespace Pipeline.Stages.Orchestration;

/// <summary>ETag-guarded access to campaign state documents.</summary>
public sealed class CampaignStateStore(IObjectStore store, TimeProvider? clock = null)
{
    /// <summary>How many times an update is recomputed after losing to another writer before giving up.</summary>
    public const int MaxAttempts = 20;

    readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>The campaign's state, or null when the campaign has none.</summary>
    public async Task<CampaignState?> ReadAsync(string campaignId, CancellationToken cancellationToken = default)
    {
        var document = await store.ReadDocumentAsync(CampaignKeys.State(campaignId), cancellationToken);
        return document is null ? null : Parse(campaignId, document.Content);
    }

    /// <summary>Writes the first state of a campaign.</summary>
    /// <exception cref="ConcurrencyConflictException">A state already exists for the campaign.</exception>
    public async Task CreateAsync(CampaignState state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.UpdatedAt = _clock.GetUtcNow();
        await store.WriteDocumentAsync(CampaignKeys.State(state.CampaignId), Serialize(state), ifMatch: null, cancellationToken);
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the current state and writes it when the function returns true, retrying on
    /// a lost race with a fresh read. Returns the state as written (or as read, when nothing changed).
    /// </summary>
    /// <exception cref="KeyNotFoundException">The campaign has no state.</exception>
    /// <exception cref="ConcurrencyConflictException">Lost <see cref="MaxAttempts"/> races in a row.</exception>
    public async Task<CampaignState> UpdateAsync(string campaignId, Func<CampaignState, CancellationToken, Task<bool>> change,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        var key = CampaignKeys.State(campaignId);
        for (var attempt = 1; ; attempt++)
        {
            var document = await store.ReadDocumentAsync(key, cancellationToken)
                ?? throw new KeyNotFoundException($"Campaign '{campaignId}' has no state ({key}).");
            var state = Parse(campaignId, document.Content);
            if (!await change(state, cancellationToken))
                return state;
            state.UpdatedAt = _clock.GetUtcNow();
            try
            {
                await store.WriteDocumentAsync(key, Serialize(state), document.ETag, cancellationToken);
                return state;
            }
            catch (ConcurrencyConflictException) when (attempt < MaxAttempts)
            {
                // Another writer won; back off a little (more on each loss) so competing orchestrators interleave.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 * attempt)), cancellationToken);
            }
        }
    }

    /// <summary>Synchronous-change overload of <see cref="UpdateAsync(string, Func{CampaignState, CancellationToken, Task{bool}}, CancellationToken)"/>.</summary>
    public Task<CampaignState> UpdateAsync(string campaignId, Func<CampaignState, bool> change, CancellationToken cancellationToken = default) =>
        UpdateAsync(campaignId, (state, _) => Task.FromResult(change(state)), cancellationToken);

    /// <summary>Ids of every campaign with a state document, in ordinal order.</summary>
    public async Task<IReadOnlyList<string>> ListIdsAsync(CancellationToken cancellationToken = default)
    {
        // The periodic reconcile calls this every ReconcileInterval (30 s): listing the campaign folders rather than every
        // key under them keeps it as cheap with a long history of stage outputs as without, at one existence check per
        // campaign.
        var ids = new List<string>();
        foreach (var folder in await store.ListFoldersAsync(CampaignKeys.CampaignsRoot, cancellationToken))
        {
            var id = folder[CampaignKeys.CampaignsRoot.Length..^1];
            if (CampaignKeys.IsValidId(id) && await store.ExistsAsync(CampaignKeys.State(id), cancellationToken))
                ids.Add(id);
        }
        ids.Sort(StringComparer.Ordinal);
        return ids;
    }

    /// <summary>The document's bytes.</summary>
    public static byte[] Serialize(CampaignState state) => JsonSerializer.SerializeToUtf8Bytes(state, StoredJson.Document);

    static CampaignState Parse(string campaignId, byte[] content)
    {
        try
        {
            return JsonSerializer.Deserialize<CampaignState>(content, StoredJson.Document)
                ?? throw new InvalidDataException($"The state of campaign '{campaignId}' is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The state of campaign '{campaignId}' is not valid JSON: {e.Message}", e);
        }
    }
}
