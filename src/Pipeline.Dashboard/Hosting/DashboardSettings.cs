// What the dashboard needs to know about its surroundings, read once from configuration: the access token, and which
// store and bus it looks at (the queue pages and the retry action depend on the transport).
using Microsoft.Extensions.Configuration;
using Pipeline.Stages.Messaging;

namespace Pipeline.Dashboard.Hosting;

/// <summary>The dashboard's settings.</summary>
/// <param name="Token">The access token every request must carry, or null when none is configured.</param>
/// <param name="Bus">The bus settings (transport, and the broker for the queue pages and retries).</param>
/// <param name="StoreDescription">Where the store is, for the page header (<c>folder /x/runs</c>, <c>Azure Blob container pipeline</c>).</param>
internal sealed record DashboardSettings(string? Token, BusOptions Bus, string StoreDescription)
{
    /// <summary>Configuration key of the token.</summary>
    public const string TokenKey = "Dashboard:Token";

    /// <summary>Environment variable of the token (read when the key is not set).</summary>
    public const string TokenVariable = "PIPELINE_DASHBOARD_TOKEN";

    /// <summary>Whether the bus is RabbitMQ, so that queues can be listed and error queues moved.</summary>
    public bool HasBroker => Bus.Transport == BusTransport.RabbitMq;

    /// <summary>Reads the settings; the token comes from <see cref="TokenKey"/>, else from <see cref="TokenVariable"/>.</summary>
    public static DashboardSettings FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var token = configuration[TokenKey] ?? configuration[TokenVariable] ?? Environment.GetEnvironmentVariable(TokenVariable);
        var storage = configuration.GetSection("Storage");
        var store = (storage["Kind"] ?? "Folder").Equals("AzureBlob", StringComparison.OrdinalIgnoreCase)
            ? $"Azure Blob container {storage["AzureBlob:Container"] ?? "pipeline"}"
            : $"folder {Path.GetFullPath(storage["Folder:Root"] ?? "runs")}";
        return new DashboardSettings(string.IsNullOrWhiteSpace(token) ? null : token.Trim(), BusOptions.FromConfiguration(configuration), store);
    }
}
