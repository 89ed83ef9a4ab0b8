// The entry point WebApplicationFactory starts the dashboard through, wired with the same calls as the CLI: "embedded"
// hosts every stage in the dashboard's own process (`pipeline run --dashboard`), "standalone" only the stage services
// and a sending bus (`pipeline dashboard`). The factory passes its settings as arguments.
using Microsoft.AspNetCore.Builder;
using Pipeline.Dashboard;
using Pipeline.Stages.Hosting;
using Pipeline.Stages.Messaging;

namespace Pipeline.Dashboard.Tests;

public sealed class DashboardTestProgram
{
    DashboardTestProgram()
    {
    }

    /// <summary>Configuration key choosing the wiring: <c>embedded</c> (default) or <c>standalone</c>.</summary>
    public const string HostKey = "Test:Host";

    public static void Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        if (builder.Configuration[HostKey] == "standalone")
        {
            builder.Services.AddStageServices(builder.Configuration);
            builder.Services.AddPipelineBus(builder.Configuration);
        }
        else
        {
            builder.Services.AddPipelineStages(builder.Configuration, WorkerRoles.All);
        }
        builder.Services.AddDashboard(builder.Configuration);
        var app = builder.Build();
        app.MapDashboard();
        app.Run();
    }
}
