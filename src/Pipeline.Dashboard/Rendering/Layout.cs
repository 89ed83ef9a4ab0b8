// The page shell: head, top bar, main. Served pages link the stylesheet and script the app serves; a standalone page
// (report.html) carries both inline, so the one file opens anywhere without a server.
using System.Text;

namespace Pipeline.Dashboard.Rendering;

/// <summary>Where a page is shown.</summary>
/// <param name="Backend">What the dashboard looks at, for the top bar (<c>folder /x/runs · in-memory bus</c>).</param>
/// <param name="Standalone">Whether the page is a file (report.html): assets inline, no navigation, no live updates.</param>
internal sealed record PageContext(string Backend, bool Standalone)
{
    /// <summary>The context of report.html.</summary>
    public static PageContext File { get; } = new("", Standalone: true);
}

/// <summary>Writes whole pages.</summary>
internal static class Layout
{
    /// <summary>A complete HTML document with <paramref name="body"/> as its main content.</summary>
    public static string Page(string title, string body, PageContext context)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        html.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        html.Add($"<title>{Html.E(title)} · Pipeline</title>\n");
        if (context.Standalone)
            html.Add($"<style>\n{DashboardAssets.Css}</style>\n");
        else
            html.Add($"<link rel=\"stylesheet\" href=\"{DashboardRoutes.Assets}/{DashboardAssets.CssName}\">\n");
        html.Append("</head>\n<body>\n<header class=\"top\">");
        if (context.Standalone)
        {
            html.Append("<span class=\"brand\">Pipeline report</span>");
        }
        else
        {
            html.Add($"<a class=\"brand\" href=\"{DashboardRoutes.Campaigns}\">Pipeline</a><nav>");
            html.Add($"<a href=\"{DashboardRoutes.Campaigns}\">Campaigns</a><a href=\"{DashboardRoutes.Queues}\">Queues</a></nav>");
            html.Add($"<span class=\"backend\">{Html.E(context.Backend)}</span>");
        }
        html.Append("</header>\n<main>\n").Append(body).Append("\n</main>\n");
        if (context.Standalone)
            html.Add($"<script>\n{DashboardAssets.Js}</script>\n");
        else
            html.Add($"<script src=\"{DashboardRoutes.Assets}/{DashboardAssets.JsName}\"></script>\n");
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>A block the page's script replaces with <paramref name="source"/>'s answer whenever its version changes.</summary>
    public static string Live(string source, string version, string content, PageContext context) => context.Standalone
        ? content
        : $"<div id=\"live\" data-live=\"{Html.E(source)}\" data-version=\"{Html.E(version)}\">{content}</div>";
}

/// <summary>The stylesheet and script, embedded in the assembly.</summary>
internal static class DashboardAssets
{
    /// <summary>File name of the stylesheet under <see cref="DashboardRoutes.Assets"/>.</summary>
    public const string CssName = "dashboard.css";

    /// <summary>File name of the script under <see cref="DashboardRoutes.Assets"/>.</summary>
    public const string JsName = "dashboard.js";

    static readonly Lazy<string> CssText = new(() => Read(CssName));
    static readonly Lazy<string> JsText = new(() => Read(JsName));

    /// <summary>The stylesheet.</summary>
    public static string Css => CssText.Value;

    /// <summary>The script.</summary>
    public static string Js => JsText.Value;

    /// <summary>The asset called <paramref name="name"/> with its content type, or null when there is none.</summary>
    public static (string Text, string ContentType)? Find(string name) => name switch
    {
        CssName => (Css, "text/css; charset=utf-8"),
        JsName => (Js, "text/javascript; charset=utf-8"),
        _ => null,
    };

    static string Read(string name)
    {
        using var stream = typeof(DashboardAssets).Assembly.GetManifestResourceStream("Pipeline.Dashboard.Assets." + name)
            ?? throw new InvalidOperationException($"The dashboard assembly lacks its embedded {name}.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
