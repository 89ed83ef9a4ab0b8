// The dashboard's addresses. Each endpoint reads through DashboardReader (or the queue inspector), renders a page and
// returns it; a failure is an exception that DashboardExtensions' error middleware turns into a 4xx/5xx page. Pages
// that follow something that changes have a /live twin the page's script polls with the version it shows: 204 while
// nothing changed, else the re-rendered part. Actions are POSTs checked for the anti-forgery field, and redirect back
// to the page they were pressed on with a one-line notice.
using System.Text.Json;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Stages;
using Pipeline.Dashboard.Data;
using Pipeline.Dashboard.Rendering;
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Messaging;
using Pipeline.Stages.Orchestration;
using Pipeline.Stages.Work;

namespace Pipeline.Dashboard.Hosting;

/// <summary>Maps the dashboard's pages, actions and JSON.</summary>
internal static class DashboardEndpoints
{
    /// <summary>Cookie that carries an action's one-line result to the page it returns to.</summary>
    const string NoticeCookie = "pipeline_dashboard_notice";

    /// <summary>Most messages a queue page peeks.</summary>
    const int MaxPeek = 100;

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet(DashboardRoutes.Assets + "/{name}", (string name, HttpContext context) =>
        {
            if (DashboardAssets.Find(name) is not { } asset)
                throw new KeyNotFoundException($"No asset '{name}'.");
            context.Response.Headers.CacheControl = "no-cache";
            return Results.Text(asset.Text, asset.ContentType);
        });

        app.MapGet(DashboardRoutes.Campaigns, async (HttpContext context, DashboardReader reader, DashboardSettings settings) =>
            Page(CampaignListPage.Render(await reader.ListAsync(context.RequestAborted), Context(settings))));
        app.MapGet(DashboardRoutes.Live(DashboardRoutes.Campaigns), async (HttpContext context, DashboardReader reader) =>
        {
            var campaigns = await reader.ListAsync(context.RequestAborted);
            return Live(context, CampaignListPage.Version(campaigns), () => CampaignListPage.Table(campaigns));
        });

        app.MapGet("/campaigns/{id}", async (string id, HttpContext context, DashboardReader reader, DashboardSettings settings, IAntiforgery antiforgery) =>
            Page(CampaignPage.Render(await reader.CampaignAsync(id, context.RequestAborted), Forms(context, antiforgery), TakeNotice(context), Context(settings))));
        app.MapGet("/campaigns/{id}/live", async (string id, HttpContext context, DashboardReader reader, DashboardSettings settings, IAntiforgery antiforgery) =>
        {
            var state = await reader.StateAsync(id, context.RequestAborted);
            var version = state.UpdatedAt.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (context.Request.Query["version"] == version)
                return Results.NoContent();
            var view = await reader.CampaignAsync(id, context.RequestAborted);
            return Live(context, view.Version, () => CampaignPage.Live(view, Forms(context, antiforgery), Context(settings)));
        });

        app.MapGet("/campaigns/{id}/iterations/{iteration:int}/{stage}", async (string id, int iteration, string stage, HttpContext context,
            DashboardReader reader, DashboardSettings settings) =>
            Page(StageOutputPage.Render(await reader.StageOutputAsync(id, iteration, stage, context.RequestAborted), Context(settings))));

        app.MapGet(DashboardRoutes.Queues, async (HttpContext context, DashboardSettings settings, IAntiforgery antiforgery) =>
            Page(QueuesPage.Render(await QueuesAsync(settings, context.RequestAborted), Broker(settings), Forms(context, antiforgery), TakeNotice(context),
                Context(settings))));
        app.MapGet(DashboardRoutes.Live(DashboardRoutes.Queues), async (HttpContext context, DashboardSettings settings, IAntiforgery antiforgery) =>
        {
            var queues = await QueuesAsync(settings, context.RequestAborted) ?? throw new InvalidOperationException(QueuesPage.NoBroker);
            return Live(context, QueuesPage.Version(queues), () => QueuesPage.Table(queues, Forms(context, antiforgery)));
        });
        app.MapGet("/queues/{queue}", async (string queue, int? count, bool? load, HttpContext context, DashboardSettings settings, ShardStore shards) =>
        {
            var take = Math.Clamp(count ?? 10, 1, MaxPeek);
            var messages = await PeekAsync(settings, queue, take, load == true ? shards : null, context.RequestAborted);
            return Page(QueuesPage.Messages(queue, messages, take, load == true, Context(settings)));
        });

        var actions = app.MapGroup("").AddEndpointFilter(async (invocation, next) =>
        {
            // Throws AntiforgeryValidationException (a 400 page) when the form lacks the field or its cookie.
            await invocation.HttpContext.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(invocation.HttpContext);
            return await next(invocation);
        });
        actions.MapPost("/campaigns/{id}/resume", async (string id, HttpContext context, CampaignService campaigns) =>
        {
            var state = await campaigns.ResumeAsync(id, context.RequestAborted);
            return await Done(context, DashboardRoutes.Campaign(id), state.Status == CampaignStatus.Completed
                ? $"Campaign {id} is completed; nothing to resume."
                : $"Campaign {id} resumed: unfinished work was sent again.");
        });
        actions.MapPost("/campaigns/{id}/cancel", async (string id, HttpContext context, CampaignService campaigns) =>
        {
            var state = await campaigns.CancelAsync(id, context.RequestAborted);
            return await Done(context, DashboardRoutes.Campaign(id), state.Status == CampaignStatus.Cancelled
                ? $"Campaign {id} cancelled: nothing more is dispatched; queued work finishes."
                : $"Campaign {id} is {state.Status.ToString().ToLowerInvariant()}; not cancelled.");
        });
        actions.MapPost("/stages/{stage}/retry", async (string stage, HttpContext context, StageRetry retry) =>
            await Done(context, DashboardRoutes.Queues, await retry.RetryAsync(stage, context.RequestAborted)));

        var api = app.MapGroup(ErrorResponses.ApiPrefix);
        api.MapGet("/campaigns", async (HttpContext context, DashboardReader reader) =>
            Json(await reader.ListAsync(context.RequestAborted)));
        api.MapGet("/campaigns/{id}", async (string id, HttpContext context, DashboardReader reader) =>
        {
            var view = await reader.CampaignAsync(id, context.RequestAborted);
            return Json(new { view.State, view.Report, view.LastEvent, view.Version });
        });
        api.MapGet("/campaigns/{id}/iterations/{iteration:int}/{stage}", async (string id, int iteration, string stage, HttpContext context, DashboardReader reader) =>
            Json(await reader.StageOutputAsync(id, iteration, stage, context.RequestAborted)));
        api.MapGet("/queues", async (HttpContext context, DashboardSettings settings) =>
            Json(await QueuesAsync(settings, context.RequestAborted) ?? throw new InvalidOperationException(QueuesPage.NoBroker)));
        api.MapGet("/queues/{queue}/messages", async (string queue, int? count, bool? load, HttpContext context, DashboardSettings settings, ShardStore shards) =>
        {
            var messages = await PeekAsync(settings, queue, Math.Clamp(count ?? 10, 1, MaxPeek), load == true ? shards : null, context.RequestAborted);
            return Json(messages.Select(m => new
            {
                m.Position, MessageType = m.Envelope.TypeName, m.Envelope.MessageId, m.Envelope.SentTime, m.Message.Redelivered,
                m.Envelope.FaultMessages, Message = m.Envelope.Message, m.LoadedRollouts,
            }));
        });
    }

    static IResult Page(string html) => Results.Content(html, "text/html; charset=utf-8");

    static IResult Json<T>(T value) => Results.Json(value, StoredJson.Document);

    /// <summary>204 when the page already shows <paramref name="version"/>, else the re-rendered part with its version.</summary>
    static IResult Live(HttpContext context, string version, Func<string> render)
    {
        if (context.Request.Query["version"] == version)
            return Results.NoContent();
        context.Response.Headers["X-Version"] = version;
        context.Response.Headers.CacheControl = "no-store";
        return Page(render());
    }

    static PageContext Context(DashboardSettings settings) =>
        new($"{settings.StoreDescription} · {(settings.HasBroker ? Broker(settings) : "in-memory bus")}", Standalone: false);

    static string Broker(DashboardSettings settings) =>
        $"RabbitMQ {settings.Bus.RabbitMq.Host}:{settings.Bus.RabbitMq.Port}, virtual host {settings.Bus.RabbitMq.VirtualHost}";

    static ActionForms Forms(HttpContext context, IAntiforgery antiforgery)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        return new ActionForms(tokens.FormFieldName, tokens.RequestToken ?? "");
    }

    static async Task<IReadOnlyList<StageQueueRow>?> QueuesAsync(DashboardSettings settings, CancellationToken cancellationToken)
    {
        if (!settings.HasBroker)
            return null;
        using var management = new RabbitMqManagementClient(settings.Bus.RabbitMq);
        return await StageQueueInspector.ListAsync(management, cancellationToken);
    }

    static async Task<IReadOnlyList<PeekedStageMessage>> PeekAsync(DashboardSettings settings, string queue, int count, ShardStore? shards,
        CancellationToken cancellationToken)
    {
        if (!settings.HasBroker)
            throw new InvalidOperationException(QueuesPage.NoBroker);
        if (!StageQueueInspector.QueueNames.Contains(queue))
            throw new KeyNotFoundException($"There is no queue '{queue}'; the queues are {string.Join(", ", StageQueueInspector.QueueNames)}.");
        using var management = new RabbitMqManagementClient(settings.Bus.RabbitMq);
        return await StageQueueInspector.PeekAsync(management, queue, count, shards, cancellationToken);
    }

    /// <summary>Redirects (303) to the page the action was pressed on, carrying <paramref name="notice"/> for it to show.</summary>
    static async Task<IResult> Done(HttpContext context, string fallback, string notice)
    {
        var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync(context.RequestAborted) : null;
        var target = form?[ActionForms.ReturnField].ToString() is { Length: > 0 } returnTo && IsLocal(returnTo) ? returnTo : fallback;
        context.Response.Cookies.Append(NoticeCookie, Uri.EscapeDataString(notice), new CookieOptions
        {
            HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/", MaxAge = TimeSpan.FromMinutes(1), IsEssential = true,
        });
        return new SeeOther(target);
    }

    /// <summary>The notice an action left for this page, once.</summary>
    static string? TakeNotice(HttpContext context)
    {
        if (!context.Request.Cookies.TryGetValue(NoticeCookie, out var notice))
            return null;
        context.Response.Cookies.Delete(NoticeCookie, new CookieOptions { Path = "/" });
        return Uri.UnescapeDataString(notice);
    }

    /// <summary>Only addresses of this site are followed after an action (no open redirect).</summary>
    static bool IsLocal(string url) => url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal);

    /// <summary>303 See Other: the browser follows a POST's answer with a GET.</summary>
    sealed class SeeOther(string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
            httpContext.Response.Headers.Location = location;
            return Task.CompletedTask;
        }
    }
}
