// Reading and writing a campaign's definition document (campaigns/{id}/campaign.json) in the object store.
using System.Text;
using Pipeline.Stages.Campaigns;
using Pipeline.Storage;

namespace Pipeline.Stages.Work;

/// <summary>The stored campaign definition.</summary>
public static class CampaignFiles
{
    /// <summary>
    /// Stores <paramref name="definition"/> as the campaign's campaign.json, create-only; an identical stored file is
    /// accepted (a repeated start), a different one is refused.
    /// </summary>
    /// <exception cref="InvalidOperationException">The campaign exists with a different definition.</exception>
    public static async Task WriteDefinitionAsync(IObjectStore store, string campaignId, CampaignDefinition definition,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(definition);
        definition.Validate();
        string key = CampaignKeys.Definition(campaignId);
        var bytes = Encoding.UTF8.GetBytes(definition.ToJson());
        try
        {
            await store.PutAsync(key, new MemoryStream(bytes, writable: false), PutMode.CreateOnly, cancellationToken);
        }
        catch (ObjectAlreadyExistsException)
        {
            var existing = await ReadDefinitionAsync(store, campaignId, cancellationToken);
            if (existing.ToJson() != definition.ToJson())
                throw new InvalidOperationException($"Campaign '{campaignId}' already exists with a different definition.");
        }
    }

    /// <summary>The stored definition of <paramref name="campaignId"/>.</summary>
    /// <exception cref="ObjectNotFoundException">The campaign does not exist.</exception>
    /// <exception cref="CampaignDefinitionException">The stored file does not parse (it was edited by hand).</exception>
    public static async Task<CampaignDefinition> ReadDefinitionAsync(IObjectStore store, string campaignId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        string key = CampaignKeys.Definition(campaignId);
        await using var stream = await store.OpenReadAsync(key, cancellationToken);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return CampaignDefinition.Parse(await reader.ReadToEndAsync(cancellationToken), key);
    }
}
