// A small line-plot writer for campaign reports: one polyline per series over integer x values (iterations), linear
// axes with rounded ticks, and a legend. Self-written because the report needs a handful of plain plots, and no
// plotting package is available to the build. Undefined values (NaN) break a line instead of being drawn as zero.
using System.Globalization;
using System.Net;
using System.Text;

namespace Pipeline.Stages.Reporting;

/// <summary>One named line of a plot.</summary>
/// <param name="Name">Legend text.</param>
/// <param name="Points">(x, y) points; y may be NaN where the value is undefined.</param>
public sealed record PlotSeries(string Name, IReadOnlyList<(double X, double Y)> Points);

/// <summary>Writes line plots as standalone SVG documents.</summary>
public static class SvgLinePlot
{
    const double Width = 640, Height = 400;
    const double Left = 64, Right = 160, Top = 40, Bottom = 52;

    // Distinguishable on white and in greyscale print order; cycles when there are more series.
    static readonly string[] Palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf", "#7f7f7f"];

    /// <summary>Renders the series as an SVG document (UTF-8 text, no external references).</summary>
    /// <param name="title">Title above the plot.</param>
    /// <param name="xLabel">Label of the x axis.</param>
    /// <param name="yLabel">Label of the y axis.</param>
    /// <param name="series">Lines to draw; may be empty (an empty frame is drawn).</param>
    public static string Render(string title, string xLabel, string yLabel, IReadOnlyList<PlotSeries> series)
    {
        ArgumentNullException.ThrowIfNull(series);
        var points = series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
        var (xMin, xMax) = points.Count > 0 ? (points.Min(p => p.X), points.Max(p => p.X)) : (0.0, 1.0);
        var (yMin, yMax) = points.Count > 0 ? (points.Min(p => p.Y), points.Max(p => p.Y)) : (0.0, 1.0);
        var xTicks = Ticks(xMin, xMax, 8, integer: true);
        var yTicks = Ticks(yMin, yMax, 6, integer: false);
        (xMin, xMax) = (xTicks[0], xTicks[^1]);
        (yMin, yMax) = (yTicks[0], yTicks[^1]);

        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        double X(double x) => Left + (x - xMin) / (xMax - xMin) * plotWidth;
        double Y(double y) => Top + plotHeight - (y - yMin) / (yMax - yMin) * plotHeight;

        var svg = new StringBuilder();
        svg.Append(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">\n"));
        svg.Append(Invariant($"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n"));
        svg.Append(Invariant($"<text x=\"{Left + plotWidth / 2}\" y=\"{Top - 16}\" text-anchor=\"middle\" font-size=\"15\">{Escape(title)}</text>\n"));

        foreach (var tick in yTicks)
        {
            var y = Y(tick);
            svg.Append(Invariant($"<line x1=\"{Left}\" y1=\"{F(y)}\" x2=\"{Left + plotWidth}\" y2=\"{F(y)}\" stroke=\"#e0e0e0\"/>\n"));
            svg.Append(Invariant($"<text x=\"{Left - 6}\" y=\"{F(y + 4)}\" text-anchor=\"end\">{Escape(Label(tick, yTicks))}</text>\n"));
        }
        foreach (var tick in xTicks)
        {
            var x = X(tick);
            svg.Append(Invariant($"<line x1=\"{F(x)}\" y1=\"{Top + plotHeight}\" x2=\"{F(x)}\" y2=\"{Top + plotHeight + 5}\" stroke=\"black\"/>\n"));
            svg.Append(Invariant($"<text x=\"{F(x)}\" y=\"{Top + plotHeight + 19}\" text-anchor=\"middle\">{Escape(Label(tick, xTicks))}</text>\n"));
        }
        svg.Append(Invariant($"<rect x=\"{Left}\" y=\"{Top}\" width=\"{plotWidth}\" height=\"{plotHeight}\" fill=\"none\" stroke=\"black\"/>\n"));
        svg.Append(Invariant($"<text x=\"{Left + plotWidth / 2}\" y=\"{Height - 10}\" text-anchor=\"middle\">{Escape(xLabel)}</text>\n"));
        svg.Append(Invariant($"<text transform=\"translate(16 {Top + plotHeight / 2}) rotate(-90)\" text-anchor=\"middle\">{Escape(yLabel)}</text>\n"));

        for (var i = 0; i < series.Count; i++)
        {
            var colour = Palette[i % Palette.Length];
            svg.Append(Invariant($"<g class=\"series\" stroke=\"{colour}\" fill=\"{colour}\"><title>{Escape(series[i].Name)}</title>\n"));
            foreach (var run in Runs(series[i].Points))
            {
                if (run.Count > 1)
                {
                    var coordinates = string.Join(" ", run.Select(p => $"{F(X(p.X))},{F(Y(p.Y))}"));
                    svg.Append(Invariant($"<polyline points=\"{coordinates}\" fill=\"none\" stroke-width=\"2\"/>\n"));
                }
                foreach (var p in run)
                    svg.Append(Invariant($"<circle cx=\"{F(X(p.X))}\" cy=\"{F(Y(p.Y))}\" r=\"3\"/>\n"));
            }
            svg.Append("</g>\n");

            var legendY = Top + 8 + i * 20;
            svg.Append(Invariant($"<line x1=\"{Width - Right + 14}\" y1=\"{legendY}\" x2=\"{Width - Right + 38}\" y2=\"{legendY}\" stroke=\"{colour}\" stroke-width=\"2\"/>\n"));
            svg.Append(Invariant($"<text x=\"{Width - Right + 44}\" y=\"{legendY + 4}\">{Escape(series[i].Name)}</text>\n"));
        }
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>
    /// Evenly spaced round tick values (steps of 1, 2, 2.5 or 5 times a power of ten) covering [min, max], at most about
    /// <paramref name="target"/> of them; a degenerate range is widened so the line sits mid-plot.
    /// </summary>
    /// <param name="min">Smallest value to cover.</param>
    /// <param name="max">Largest value to cover.</param>
    /// <param name="target">Rough number of ticks wanted.</param>
    /// <param name="integer">Whether the axis counts whole units (iterations), so steps are at least 1.</param>
    public static double[] Ticks(double min, double max, int target, bool integer)
    {
        if (max - min < 1e-12)
        {
            var pad = integer ? 1 : Math.Max(Math.Abs(min) * 0.1, 0.5);
            (min, max) = (min - pad, max + pad);
        }
        var raw = (max - min) / Math.Max(1, target - 1);
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = new[] { 1, 2, 2.5, 5, 10 }.Select(m => m * magnitude).First(s => s >= raw * (1 - 1e-9));
        if (integer)
            step = Math.Max(1, Math.Ceiling(step));
        var first = Math.Floor(min / step + 1e-9) * step;
        var last = Math.Ceiling(max / step - 1e-9) * step;
        var count = (int)Math.Round((last - first) / step) + 1;
        // Rounding each tick to the step's decimals keeps values such as 0.30000000000000004 out of the picture.
        var decimals = Decimals(step);
        return Enumerable.Range(0, count).Select(k => Math.Round(first + k * step, decimals)).ToArray();
    }

    static IEnumerable<List<(double X, double Y)>> Runs(IReadOnlyList<(double X, double Y)> points)
    {
        var run = new List<(double X, double Y)>();
        foreach (var point in points.OrderBy(p => p.X))
        {
            if (double.IsFinite(point.X) && double.IsFinite(point.Y))
            {
                run.Add(point);
                continue;
            }
            if (run.Count > 0)
                yield return run;
            run = [];
        }
        if (run.Count > 0)
            yield return run;
    }

    static string Label(double value, double[] ticks)
    {
        var step = ticks.Length > 1 ? Math.Abs(ticks[1] - ticks[0]) : 1;
        return value.ToString("F" + Decimals(step).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    /// <summary>Fewest decimals that write <paramref name="step"/> exactly (0.25 -> 2, 2.5 -> 1, 5 -> 0).</summary>
    static int Decimals(double step)
    {
        for (var d = 0; d < 12; d++)
        {
            var scaled = step * Math.Pow(10, d);
            if (Math.Abs(scaled - Math.Round(scaled)) < 1e-6 * Math.Max(1, scaled))
                return d;
        }
        return 12;
    }

    static string F(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    static string Escape(string text) => WebUtility.HtmlEncode(text);

    static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
