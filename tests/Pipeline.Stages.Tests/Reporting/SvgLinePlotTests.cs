// The report's SVG writer: well-formed XML, one polyline per unbroken run of a series, points placed on the axes'
// scale, round ticks, and escaped text.
using System.Globalization;
using System.Xml.Linq;
using Pipeline.Stages.Reporting;

namespace Pipeline.Stages.Tests.Reporting;

public sealed class SvgLinePlotTests
{
    static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    static List<(double X, double Y)> Coordinates(XElement polyline) => polyline.Attribute("points")!.Value
        .Split(' ')
        .Select(p => p.Split(','))
        .Select(p => (double.Parse(p[0], CultureInfo.InvariantCulture), double.Parse(p[1], CultureInfo.InvariantCulture)))
        .ToList();

    [Fact]
    public void Render_TwoSeries_OnePolylinePerSeriesWithLegendAndEscapedTitle()
    {
        var svg = SvgLinePlot.Render("accuracy <&> trend", "iteration", "accuracy",
        [
            new PlotSeries("easy", [(0, 0.5), (1, 0.6), (2, 0.7)]),
            new PlotSeries("hard", [(0, 0.1), (1, 0.15), (2, 0.3)]),
        ]);

        var document = XDocument.Parse(svg);
        var groups = document.Descendants(Svg + "g").Where(g => (string?)g.Attribute("class") == "series").ToList();
        Assert.Equal(["easy", "hard"], groups.Select(g => g.Element(Svg + "title")!.Value));
        Assert.All(groups, g => Assert.Single(g.Elements(Svg + "polyline")));
        Assert.All(groups, g => Assert.Equal(3, g.Elements(Svg + "circle").Count()));
        Assert.Contains(document.Descendants(Svg + "text"), t => t.Value == "accuracy <&> trend");
        Assert.Contains(document.Descendants(Svg + "text"), t => t.Value == "hard");
    }

    [Fact]
    public void Render_IncreasingSeries_PointsGoRightAndUpProportionally()
    {
        var svg = SvgLinePlot.Render("t", "x", "y", [new PlotSeries("s", [(0, 0.0), (1, 0.5), (2, 1.0)])]);

        var points = Coordinates(XDocument.Parse(svg).Descendants(Svg + "polyline").Single());
        // SVG y grows downwards: a rising value has a falling y coordinate; equal steps give equal distances.
        Assert.True(points[0].X < points[1].X && points[1].X < points[2].X);
        Assert.True(points[0].Y > points[1].Y && points[1].Y > points[2].Y);
        Assert.Equal(points[1].X - points[0].X, points[2].X - points[1].X, 1);
        Assert.Equal(points[0].Y - points[1].Y, points[1].Y - points[2].Y, 1);
    }

    [Fact]
    public void Render_NaNInTheMiddle_BreaksTheLineIntoTwoRuns()
    {
        var svg = SvgLinePlot.Render("t", "x", "y", [new PlotSeries("s", [(0, 1.0), (1, 2.0), (2, double.NaN), (3, 2.5), (4, 3.0)])]);

        var group = XDocument.Parse(svg).Descendants(Svg + "g").Single(g => (string?)g.Attribute("class") == "series");
        Assert.Equal([2, 2], group.Elements(Svg + "polyline").Select(p => Coordinates(p).Count));
        Assert.Equal(4, group.Elements(Svg + "circle").Count());
    }

    [Fact]
    public void Render_NoSeries_StillAWellFormedFrame()
    {
        var document = XDocument.Parse(SvgLinePlot.Render("empty", "x", "y", []));

        Assert.Empty(document.Descendants(Svg + "polyline"));
        Assert.Equal("svg", document.Root!.Name.LocalName);
    }

    [Theory]
    [InlineData(0.12, 0.87, 6, false, new[] { 0.0, 0.2, 0.4, 0.6, 0.8, 1.0 })]
    [InlineData(0, 3, 8, true, new[] { 0.0, 1, 2, 3 })]
    [InlineData(0, 20, 8, true, new[] { 0.0, 5, 10, 15, 20 })]
    [InlineData(12.3, 47.9, 6, false, new[] { 10.0, 20, 30, 40, 50 })]
    [InlineData(2, 2, 6, false, new[] { 1.4, 1.6, 1.8, 2, 2.2, 2.4, 2.6 })]
    public void Ticks_Range_RoundStepsCoveringIt(double min, double max, int target, bool integer, double[] expected)
    {
        Assert.Equal(expected, SvgLinePlot.Ticks(min, max, target, integer));
    }
}
