// Who may use the dashboard. Bound to loopback only, whoever can reach it is on this machine; bound to any other address
// it must carry a token (its actions cancel campaigns and move queues), so start-up refuses an address that is not
// loopback when no token is configured. With a token, every request shows it once: `?token=` in an address a person
// opens (it is then kept in an HttpOnly cookie and dropped from the address), or `Authorization: Bearer` from a script.
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Pipeline.Dashboard.Rendering;

namespace Pipeline.Dashboard.Hosting;

/// <summary>The token rule of the dashboard.</summary>
internal static class DashboardAccess
{
    /// <summary>Cookie that keeps the token after a person opened an address with <c>?token=</c>.</summary>
    public const string CookieName = "pipeline_dashboard_token";

    /// <summary>Query parameter of the token.</summary>
    public const string QueryName = "token";

    /// <summary>Whether <paramref name="address"/> (a Kestrel URL such as <c>http://127.0.0.1:5080</c>) listens on loopback only.</summary>
    public static bool IsLoopback(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        // Kestrel's wildcards (http://*:80, http://+:80) are not URIs; they listen everywhere.
        var start = address.IndexOf("://", StringComparison.Ordinal);
        var rest = start < 0 ? address : address[(start + 3)..];
        var host = rest.StartsWith('[') ? rest[..(rest.IndexOf(']', StringComparison.Ordinal) + 1)] : rest.Split(':', '/')[0];
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
            return true;
        return IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip);
    }

    /// <summary>Throws when an address is not loopback and no token is configured.</summary>
    /// <exception cref="InvalidOperationException">The dashboard would be reachable from other machines without a token.</exception>
    public static void RequireTokenBeyondLoopback(IEnumerable<string> addresses, string? token)
    {
        var open = addresses.Where(a => !IsLoopback(a)).ToList();
        if (open.Count > 0 && token is null)
            throw new InvalidOperationException(
                $"The dashboard would listen on {string.Join(", ", open)}, which is not loopback only: set {DashboardSettings.TokenKey} "
                + $"or {DashboardSettings.TokenVariable} so that only those who have the token can use it.");
    }

    /// <summary>Checks the listening addresses when the server starts, before it accepts a connection.</summary>
    internal sealed class AddressCheck(DashboardSettings settings) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            // The server copies its configured URLs into this feature before building the pipeline; the in-process test
            // server has none.
            if (app.ServerFeatures.Get<IServerAddressesFeature>() is { } addresses)
                RequireTokenBeyondLoopback(addresses.Addresses, settings.Token);
            next(app);
        };
    }

    /// <summary>Lets a request through when no token is configured or it carries the token; otherwise answers 401.</summary>
    public static async Task CheckAsync(HttpContext context, DashboardSettings settings, Func<Task> next)
    {
        if (settings.Token is not { } token || context.Request.Path.StartsWithSegments(DashboardRoutes.Assets))
        {
            await next();
            return;
        }
        if (context.Request.Query.TryGetValue(QueryName, out var fromQuery) && Matches(fromQuery.ToString(), token))
        {
            // Kept in a cookie, and dropped from the address so that it is not left in the history or copied on.
            context.Response.Cookies.Append(CookieName, token, new CookieOptions
            {
                HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = context.Request.IsHttps, Path = "/", IsEssential = true,
            });
            var query = context.Request.Query.Where(q => q.Key != QueryName).ToDictionary(q => q.Key, q => q.Value);
            context.Response.Redirect(context.Request.PathBase + context.Request.Path + QueryString.Create(query));
            return;
        }
        var bearer = context.Request.Headers.Authorization.ToString();
        if ((bearer.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && Matches(bearer["Bearer ".Length..].Trim(), token))
            || (context.Request.Cookies.TryGetValue(CookieName, out var fromCookie) && Matches(fromCookie, token)))
        {
            await next();
            return;
        }
        await ErrorResponses.WriteAsync(context, StatusCodes.Status401Unauthorized, "Token required",
            $"This dashboard needs its token. Open {context.Request.GetEncodedPathAndQuery()} with ?{QueryName}=<token> once "
            + "(the browser keeps it), or send the header Authorization: Bearer <token>.");
    }

    static bool Matches(string? given, string token) => given is not null
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(token));
}
