// Every stage message needs its campaign's settings; campaign.json is immutable after start, so each process reads it
// once per campaign instead of once per message.
using System.Collections.Concurrent;
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Work;
using Pipeline.Storage;

namespace Pipeline.Stages.Consumers;

/// <summary>Campaign definitions read from the store, kept for the life of the process.</summary>
public sealed class CampaignDefinitionCache(IObjectStore store)
{
    readonly ConcurrentDictionary<string, CampaignDefinition> _definitions = new(StringComparer.Ordinal);

    /// <summary>The definition of <paramref name="campaignId"/>.</summary>
    /// <exception cref="ObjectNotFoundException">The campaign does not exist.</exception>
    public async Task<CampaignDefinition> GetAsync(string campaignId, CancellationToken cancellationToken = default)
    {
        if (_definitions.TryGetValue(campaignId, out var cached))
            return cached;
        var definition = await CampaignFiles.ReadDefinitionAsync(store, campaignId, cancellationToken);
        return _definitions.GetOrAdd(campaignId, definition);
    }
}
