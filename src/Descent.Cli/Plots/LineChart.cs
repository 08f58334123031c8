using System.Globalization;
using System.Text;

namespace Descent.Cli.Plots;

/// <summary>One line of a <see cref="LineChart"/>.</summary>
/// <param name="Label">The legend text.</param>
/// <param name="Points">The points in x order; non-finite points (and, on a log axis, non-positive ones) break the line.</param>
/// <param name="Colour">The stroke colour (default: the palette colour of the series' position).</param>
public sealed record Series(string Label, IReadOnlyList<(double X, double Y)> Points, string? Colour = null);

/// <summary>
/// A line chart panel: one or more series over a linear x axis and a linear or logarithmic y axis, with nice
/// ticks, light grid lines, axis labels and a title. <see cref="Draw"/> renders it into a region of an
/// <see cref="Svg"/>, so a figure can hold several panels side by side (<see cref="Figure"/>) with one legend.
/// </summary>
public sealed class LineChart
{
    /// <summary>Series colours in order (the Tableau 10 palette).</summary>
    public static IReadOnlyList<string> Palette { get; } =
        ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    private const double AxisLeft = 62, AxisBottom = 44, TitleHeight = 36, RightPad = 14;

    /// <summary>The panel title.</summary>
    public required string Title { get; init; }

    /// <summary>The x-axis label.</summary>
    public string XLabel { get; init; } = "";

    /// <summary>The y-axis label.</summary>
    public string YLabel { get; init; } = "";

    /// <summary>Logarithmic y axis (ticks at powers of ten).</summary>
    public bool LogY { get; init; }

    /// <summary>Only integer x ticks (e.g. layer numbers).</summary>
    public bool IntegerX { get; init; }

    /// <summary>The lines.</summary>
    public List<Series> Series { get; } = [];

    /// <summary>The colour of series <paramref name="index"/>.</summary>
    public string ColourOf(int index) => Series[index].Colour ?? Palette[index % Palette.Count];

    private bool Drawable((double X, double Y) p) => double.IsFinite(p.X) && double.IsFinite(p.Y) && (!LogY || p.Y > 0);

    /// <summary>Draws the panel into the region (<paramref name="x"/>, <paramref name="y"/>, <paramref name="width"/>,
    /// <paramref name="height"/>) of <paramref name="svg"/>, title and axes included; <paramref name="clipId"/> names
    /// its clip path (unique in the document).</summary>
    public void Draw(Svg svg, double x, double y, double width, double height, string clipId)
    {
        double left = x + AxisLeft, top = y + TitleHeight, w = width - AxisLeft - RightPad, h = height - TitleHeight - AxisBottom;
        svg.Text(left + w / 2, y + 17, Title, 13, "middle", "font-weight=\"bold\"");
        var points = Series.SelectMany(s => s.Points).Where(Drawable).ToList();
        var (x0, x1) = Range(points.Select(p => p.X), pad: false);
        if (IntegerX) { x0 -= 0.5; x1 += 0.5; } // whole steps: keep the first and last markers off the frame
        var (y0, y1) = LogY ? LogRange(points.Select(p => p.Y)) : Range(points.Select(p => p.Y), pad: true);
        double Px(double v) => left + (v - x0) / (x1 - x0) * w;
        double Py(double v) => LogY
            ? top + h - (Math.Log10(v) - y0) / (y1 - y0) * h
            : top + h - (v - y0) / (y1 - y0) * h;

        svg.Raw($"<defs><clipPath id=\"{clipId}\"><rect x=\"{Svg.N(left)}\" y=\"{Svg.N(top)}\" width=\"{Svg.N(w)}\" height=\"{Svg.N(h)}\"/></clipPath></defs>");
        svg.Rect(left, top, w, h, "white");
        foreach (var t in Ticks.Nice(x0, x1).Where(t => !IntegerX || Math.Abs(t - Math.Round(t)) < 1e-9))
        {
            double p = Px(t);
            svg.Line(p, top, p, top + h, "#e4e4e4");
            svg.Line(p, top + h, p, top + h + 5, "#333");
            svg.Text(p, top + h + 18, Ticks.Label(t), 11, "middle");
        }
        foreach (var (value, label) in YTicks(y0, y1))
        {
            double p = LogY ? top + h - (value - y0) / (y1 - y0) * h : Py(value);
            svg.Line(left, p, left + w, p, "#e4e4e4");
            svg.Line(left - 5, p, left, p, "#333");
            svg.Text(left - 8, p + 4, label, 11, "end");
        }
        svg.Text(left + w / 2, top + h + 36, XLabel, 12, "middle");
        double ly = top + h / 2, lx = x + 14;
        svg.Text(lx, ly, YLabel, 12, "middle", $"transform=\"rotate(-90 {Svg.N(lx)} {Svg.N(ly)})\"");

        var hidden = new List<string>();
        for (int i = 0; i < Series.Count; i++)
        {
            string colour = ColourOf(i);
            var pts = Series[i].Points;
            if (!pts.Any(Drawable)) { hidden.Add(Series[i].Label); continue; }
            foreach (var run in Runs(pts))
            {
                var px = run.Select(p => (Px(p.X), Py(p.Y))).ToList();
                if (px.Count > 1) svg.Polyline(px, colour, 2, $"clip-path=\"url(#{clipId})\" stroke-linejoin=\"round\"");
                if (pts.Count <= 40)
                    foreach (var (cx, cy) in px) svg.Circle(cx, cy, 2.6, colour, extra: $"clip-path=\"url(#{clipId})\"");
            }
        }
        if (hidden.Count > 0)
            svg.Text(left + w / 2, top - 6, "not drawn (" + (LogY ? "zero" : "not finite") + "): " + string.Join(", ", hidden), 10, "middle", "fill=\"#555\"");
        svg.Rect(left, top, w, h, "none", "#333");
    }

    /// <summary>Maximal runs of consecutive drawable points.</summary>
    private IEnumerable<List<(double X, double Y)>> Runs(IReadOnlyList<(double X, double Y)> points)
    {
        var run = new List<(double, double)>();
        foreach (var p in points)
        {
            if (Drawable(p)) { run.Add(p); continue; }
            if (run.Count > 0) { yield return run; run = []; }
        }
        if (run.Count > 0) yield return run;
    }

    private static (double, double) Range(IEnumerable<double> values, bool pad)
    {
        var v = values.ToList();
        if (v.Count == 0) return (0, 1);
        double lo = v.Min(), hi = v.Max();
        if (hi - lo < 1e-12 * Math.Max(1, Math.Abs(hi))) return (lo - 0.5 * Math.Max(1, Math.Abs(lo)), hi + 0.5 * Math.Max(1, Math.Abs(hi)));
        double m = pad ? 0.05 * (hi - lo) : 0;
        return (lo - m, hi + m);
    }

    /// <summary>The y range in log₁₀ units: whole decades around the data.</summary>
    private static (double, double) LogRange(IEnumerable<double> values)
    {
        var v = values.Select(Math.Log10).ToList();
        if (v.Count == 0) return (-1, 1);
        double lo = Math.Floor(v.Min()), hi = Math.Ceiling(v.Max());
        if (hi - lo < 1) { lo -= 1; hi += 1; }
        return (lo, hi);
    }

    private IEnumerable<(double Value, string Label)> YTicks(double y0, double y1)
    {
        if (!LogY) return Ticks.Nice(y0, y1).Select(t => (t, Ticks.Label(t)));
        int step = Math.Max(1, (int)Math.Ceiling((y1 - y0) / 8));
        var ticks = new List<(double, string)>();
        for (int e = (int)y0; e <= (int)y1; e += step) ticks.Add((e, PowerOfTen(e)));
        return ticks;
    }

    /// <summary><c>1</c>, <c>10</c>, or <c>10ᵏ</c> with a superscript exponent.</summary>
    public static string PowerOfTen(int e)
    {
        if (e == 0) return "1";
        if (e == 1) return "10";
        const string digits = "⁰¹²³⁴⁵⁶⁷⁸⁹";
        var sb = new StringBuilder("10");
        foreach (char c in e.ToString(CultureInfo.InvariantCulture)) sb.Append(c == '-' ? '⁻' : digits[c - '0']);
        return sb.ToString();
    }

    /// <summary>
    /// A figure of <paramref name="panels"/> side by side under <paramref name="title"/>, with one legend below
    /// naming the series of the first panel (panels are expected to hold the same series in the same order).
    /// </summary>
    public static Svg Figure(string title, IReadOnlyList<LineChart> panels, double panelWidth = 380, double panelHeight = 320)
    {
        ArgumentOutOfRangeException.ThrowIfZero(panels.Count);
        var first = panels[0];
        const double legendRow = 18;
        double legendHeight = 16 + legendRow * Math.Ceiling(first.Series.Count / 3.0);
        var svg = new Svg(panelWidth * panels.Count + 20, 40 + panelHeight + legendHeight);
        svg.Rect(0, 0, svg.Width, svg.Height, "white");
        svg.Text(svg.Width / 2, 24, title, 15, "middle");
        for (int i = 0; i < panels.Count; i++) panels[i].Draw(svg, 10 + i * panelWidth, 36, panelWidth, panelHeight, $"panel{i}");
        double legendTop = 36 + panelHeight + 12, column = (svg.Width - 40) / 3;
        for (int i = 0; i < first.Series.Count; i++)
        {
            double lx = 20 + column * (i % 3) + AxisLeft, ly = legendTop + legendRow * (i / 3) + 6;
            svg.Line(lx, ly - 4, lx + 22, ly - 4, first.ColourOf(i), 2.5);
            svg.Circle(lx + 11, ly - 4, 2.6, first.ColourOf(i));
            svg.Text(lx + 28, ly, first.Series[i].Label, 12);
        }
        return svg;
    }
}
