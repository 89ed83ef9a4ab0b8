// The dashboard's addresses, built in one place so that links, forms and the endpoint map agree.
using Pipeline.Stages.Campaigns;

namespace Pipeline.Dashboard.Rendering;

/// <summary>Addresses of the dashboard's pages, actions and JSON.</summary>
internal static class DashboardRoutes
{
    /// <summary>Prefix of the embedded stylesheet and script.</summary>
    public const string Assets = "/assets";

    /// <summary>The campaign list.</summary>
    public const string Campaigns = "/";

    /// <summary>The queue figures.</summary>
    public const string Queues = "/queues";

    /// <summary>One campaign.</summary>
    public static string Campaign(string id) => $"/campaigns/{Uri.EscapeDataString(id)}";

    /// <summary>A stage's stored outputs in one iteration.</summary>
    public static string StageOutput(string id, int iteration, CampaignStage stage) => $"{Campaign(id)}/iterations/{iteration}/{stage.Name()}";

    /// <summary>The messages waiting in one queue.</summary>
    public static string Queue(string queue) => $"{Queues}/{Uri.EscapeDataString(queue)}";

    /// <summary>Resume action.</summary>
    public static string Resume(string id) => $"{Campaign(id)}/resume";

    /// <summary>Cancel action.</summary>
    public static string Cancel(string id) => $"{Campaign(id)}/cancel";

    /// <summary>Retry action of a stage's failed work.</summary>
    public static string Retry(string stage) => $"/stages/{Uri.EscapeDataString(stage)}/retry";

    /// <summary>The live part of a page, which its script polls.</summary>
    public static string Live(string page) => page == Campaigns ? "/live" : page + "/live";
}
