// How a request that cannot be answered is answered: a small page (or JSON under /api) with the status and a sentence
// that says what is wrong. Expected failures carry their own message (an unknown campaign, a broker that is down);
// anything else is logged and shown as a plain 500, never with a stack trace.
using System.Text.Json;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Pipeline.Storage;

namespace Pipeline.Dashboard.Rendering;

/// <summary>Error pages and their status codes.</summary>
internal static class ErrorResponses
{
    /// <summary>Prefix of the JSON addresses, whose errors are JSON too.</summary>
    public const string ApiPrefix = "/api";

    /// <summary>The status and title of an exception a page threw, and whether its message may be shown as it is.</summary>
    public static (int Status, string Title, bool Expected) Classify(Exception error) => error switch
    {
        KeyNotFoundException or ObjectNotFoundException => (StatusCodes.Status404NotFound, "Not found", true),
        AntiforgeryValidationException => (StatusCodes.Status400BadRequest, "Form expired or forged", true),
        BadHttpRequestException bad => (bad.StatusCode, "Bad request", true),
        ArgumentException or FormatException => (StatusCodes.Status400BadRequest, "Bad request", true),
        InvalidOperationException or InvalidDataException or StorageException or TimeoutException or HttpRequestException
            => (StatusCodes.Status503ServiceUnavailable, "Not available", true),
        _ => (StatusCodes.Status500InternalServerError, "Server error", false),
    };

    /// <summary>The message shown for an exception a page threw.</summary>
    public static string Message(Exception error) => error switch
    {
        AntiforgeryValidationException => "The form lacks its anti-forgery field, or it has expired. Reload the page and try again.",
        _ when Classify(error).Expected => error.Message,
        _ => "Something went wrong on the server; its log has the details.",
    };

    /// <summary>Writes an error page (HTML, or JSON under <see cref="ApiPrefix"/>).</summary>
    public static async Task WriteAsync(HttpContext context, int status, string title, string message)
    {
        if (context.Response.HasStarted)
            return;
        context.Response.Clear();
        context.Response.StatusCode = status;
        if (context.Request.Path.StartsWithSegments(ApiPrefix))
        {
            await context.Response.WriteAsJsonAsync(new { status, error = title, message }, (JsonSerializerOptions?)null, "application/json; charset=utf-8");
            return;
        }
        var body = $"<h1>{status} · {Html.E(title)}</h1>\n<p class=\"error\">{Html.E(message)}</p>\n<p><a href=\"{DashboardRoutes.Campaigns}\">Campaigns</a> · <a href=\"{DashboardRoutes.Queues}\">Queues</a></p>";
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync(Layout.Page(title, body, new PageContext("", Standalone: false)));
    }
}
