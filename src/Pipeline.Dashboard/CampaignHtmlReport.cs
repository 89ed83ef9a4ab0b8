// report.html: the dashboard's campaign page as one self-contained file (stylesheet and script inline, plots as inline
// SVG, no actions and no live updates), written by `pipeline report` next to report.md with the same data.
using System.Text;
using Pipeline.Dashboard.Data;
using Pipeline.Dashboard.Rendering;
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Orchestration;
using Pipeline.Stages.Reporting;
using Pipeline.Stages.Work;
using Pipeline.Storage;

namespace Pipeline.Dashboard;

/// <summary>Writes a campaign's report.html.</summary>
public static class CampaignHtmlReport
{
    /// <summary>The file name.</summary>
    public const string FileName = "report.html";

    /// <summary>Writes report.html for <paramref name="report"/> into <paramref name="directory"/>, with the campaign's progress read from <paramref name="store"/>.</summary>
    /// <returns>The full path of the file.</returns>
    public static async Task<string> WriteAsync(IObjectStore store, CampaignReport report, string directory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(report);
        CampaignState? state = null;
        try
        {
            state = await new CampaignStateStore(store).ReadAsync(report.CampaignId, cancellationToken);
        }
        catch (InvalidDataException)
        {
            // The report has noted it already; the page shows what the evaluations say.
        }
        CampaignDefinition? definition = null;
        try
        {
            definition = await CampaignFiles.ReadDefinitionAsync(store, report.CampaignId, cancellationToken);
        }
        catch (Exception e) when (e is ObjectNotFoundException or CampaignDefinitionException)
        {
            // Without the file the page lists every stage.
        }
        if (state is null)
            report = report with { Notes = [.. report.Notes, $"{CampaignKeys.State(report.CampaignId)} is missing: the progress table is empty."] };
        state ??= new CampaignState { CampaignId = report.CampaignId, Recipe = report.Recipe ?? "unknown", Iterations = report.PlannedIterations ?? 0 };

        var html = CampaignPage.Render(new CampaignView(state, report, definition, null), forms: null,
            notice: $"Written by pipeline report at {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} UTC.", PageContext.File);
        Directory.CreateDirectory(directory);
        var path = Path.GetFullPath(Path.Combine(directory, FileName));
        await File.WriteAllTextAsync(path, html, new UTF8Encoding(false), cancellationToken);
        return path;
    }
}
