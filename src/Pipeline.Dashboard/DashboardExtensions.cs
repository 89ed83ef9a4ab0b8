// Wiring of the dashboard into an ASP.NET Core application, in two calls: AddDashboard (services) and MapDashboard
// (middleware and addresses). `pipeline dashboard` adds them to a host with the stage services and a sending bus;
// `pipeline run --dashboard` adds them to the embedded run's own host, so the pages read the run's store and the
// actions send on its bus.
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Pipeline.Dashboard.Data;
using Pipeline.Dashboard.Hosting;
using Pipeline.Dashboard.Rendering;
using Pipeline.Stages.Hosting;
using Pipeline.Stages.Orchestration;
using Pipeline.Storage;
using Pipeline.Storage.Checkpoints;

namespace Pipeline.Dashboard;

/// <summary>Adds the campaign dashboard to a web application.</summary>
public static class DashboardExtensions
{
    /// <summary>
    /// Adds the dashboard's services, and the stage services (store, campaign states) it reads through when the host has
    /// none yet. Resume sends through the host's MassTransit bus when it has one. The token comes from
    /// <c>Dashboard:Token</c> or the environment variable <c>PIPELINE_DASHBOARD_TOKEN</c>; without one the host refuses
    /// to listen on any address that is not loopback.
    /// </summary>
    /// <param name="services">The web application's services.</param>
    /// <param name="configuration">Configuration with the <c>Storage</c>, <c>Bus</c>, <c>Stages</c> and <c>Dashboard</c> sections.</param>
    public static IServiceCollection AddDashboard(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddStageServices(configuration);
        services.AddSingleton(DashboardSettings.FromConfiguration(configuration));
        services.AddSingleton<CampaignEventLog>();
        // The orchestrator tells its observers about every event; in an embedded run that includes this log.
        services.AddSingleton<ICampaignObserver>(p => p.GetRequiredService<CampaignEventLog>());
        services.TryAddSingleton(p => new CampaignService(p.GetRequiredService<IObjectStore>(), p.GetRequiredService<CheckpointStore>(),
            p.GetRequiredService<CampaignStateStore>(), p.GetService<IBus>() is { } bus ? new BusCommandSender(bus) : null));
        services.AddSingleton<DashboardReader>();
        services.AddSingleton<StageRetry>();
        services.AddAntiforgery(options =>
        {
            options.Cookie.Name = "pipeline_dashboard_antiforgery";
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.FormFieldName = "__RequestVerificationToken";
        });
        services.AddDataProtection();
        services.Configure<KeyManagementOptions>(options =>
        {
            options.XmlRepository = new ProcessKeyRing();
            options.XmlEncryptor = ProcessKeyRing.Encryptor;
        });
        services.AddTransient<IStartupFilter, DashboardAccess.AddressCheck>();
        services.AddRouting();
        return services;
    }

    /// <summary>
    /// Adds the dashboard's middleware (error pages, the token check) and maps its addresses: <c>/</c>,
    /// <c>/campaigns/{id}</c>, <c>/campaigns/{id}/iterations/{n}/{stage}</c>, <c>/queues</c>, the POST actions and
    /// <c>/api/...</c>.
    /// </summary>
    public static WebApplication MapDashboard(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var settings = app.Services.GetRequiredService<DashboardSettings>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Pipeline.Dashboard");
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (Exception e) when (!context.RequestAborted.IsCancellationRequested)
            {
                var (status, title, expected) = ErrorResponses.Classify(e);
                if (!expected)
                    logger.LogError(e, "{Method} {Path} failed.", context.Request.Method, context.Request.Path);
                await ErrorResponses.WriteAsync(context, status, title, ErrorResponses.Message(e));
            }
        });
        app.UseStatusCodePages(context => ErrorResponses.WriteAsync(context.HttpContext, context.HttpContext.Response.StatusCode,
            ReasonPhrases.GetReasonPhrase(context.HttpContext.Response.StatusCode),
            context.HttpContext.Response.StatusCode == StatusCodes.Status404NotFound
                ? $"There is no page at {context.HttpContext.Request.Path}."
                : $"{context.HttpContext.Request.Method} is not what {context.HttpContext.Request.Path} takes."));
        app.Use((context, next) => DashboardAccess.CheckAsync(context, settings, () => next(context)));
        DashboardEndpoints.Map(app);
        return app;
    }
}
