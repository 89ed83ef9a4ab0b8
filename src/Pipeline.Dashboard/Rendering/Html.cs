// The few helpers every page uses to write HTML: encoding, numbers (invariant culture, "n/a" for undefined figures,
// right-aligned cells that sort by value), times, and the POST buttons of the actions.
using System.Globalization;
using System.Net;
using System.Text;

namespace Pipeline.Dashboard.Rendering;

/// <summary>HTML text helpers.</summary>
internal static class Html
{
    /// <summary>Encodes text for an element or a quoted attribute.</summary>
    public static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    /// <summary>A number in <paramref name="format"/>, or <c>n/a</c> when undefined.</summary>
    public static string Num(double value, string format = "0.000") =>
        double.IsFinite(value) ? value.ToString(format, CultureInfo.InvariantCulture) : "n/a";

    /// <summary>An integer, invariant.</summary>
    public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A right-aligned table cell holding a number; it sorts by its value.</summary>
    public static string NumCell(double value, string format = "0.000") =>
        $"<td class=\"num\" data-value=\"{(double.IsFinite(value) ? value.ToString("R", CultureInfo.InvariantCulture) : "")}\">{Num(value, format)}</td>";

    /// <summary>A cell for a named figure of unknown kind: whole numbers (counts) without decimals, others with three.</summary>
    public static string FigureCell(double value) =>
        NumCell(value, double.IsFinite(value) && Math.Abs(value) < 1e12 && value == Math.Round(value) ? "0" : "0.000");

    /// <summary>A right-aligned table cell holding an integer.</summary>
    public static string IntCell(long value) => $"<td class=\"num\" data-value=\"{Int(value)}\">{Int(value)}</td>";

    /// <summary>A UTC time, readable, with its ISO form for scripts and tooltips.</summary>
    public static string Time(DateTimeOffset? time) => time is { } t
        ? $"<time datetime=\"{t.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)}\">{t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}</time>"
        : "";

    /// <summary>A status badge (<c>running</c>, <c>completed</c>, <c>cancelled</c>, <c>failed</c> ...).</summary>
    public static string Badge(string text, string kind) => $"<span class=\"badge {E(kind)}\">{E(text)}</span>";

    /// <summary>Appends interpolated text with the invariant culture.</summary>
    public static StringBuilder Add(this StringBuilder html, FormattableString text) => html.Append(text.ToString(CultureInfo.InvariantCulture));
}

/// <summary>
/// The POST buttons of the actions, each a small form with the anti-forgery field and the page to return to; a page
/// rendered without one (report.html) has no buttons.
/// </summary>
/// <param name="FieldName">Name of the anti-forgery form field.</param>
/// <param name="Token">The request token for this page.</param>
internal sealed record ActionForms(string FieldName, string Token)
{
    /// <summary>Form field naming the page to return to after the action.</summary>
    public const string ReturnField = "returnTo";

    /// <summary>A button that posts to <paramref name="action"/>.</summary>
    public string Button(string action, string label, string returnTo, string kind = "", string? title = null) =>
        $"<form method=\"post\" action=\"{Html.E(action)}\" class=\"action\">"
        + $"<input type=\"hidden\" name=\"{Html.E(FieldName)}\" value=\"{Html.E(Token)}\">"
        + $"<input type=\"hidden\" name=\"{ReturnField}\" value=\"{Html.E(returnTo)}\">"
        + $"<button type=\"submit\" class=\"{Html.E(kind)}\"{(title is null ? "" : $" title=\"{Html.E(title)}\"")}>{Html.E(label)}</button></form>";
}
