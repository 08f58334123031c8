using System.Globalization;
using System.Text;

namespace Descent.Cli.Plots;

/// <summary>One line of a <see cref="LineChart"/>.</summary>
/// <param name="Label">The legend text (also written as the series group's <c>data-series</c> attribute).</param>
/// <param name="Points">The points in x order; non-finite points (and, on a log axis, non-positive ones) break the line.</param>
/// <param name="Colour">The stroke colour (default: the colour of the series' position, <see cref="SeriesStyle.Of"/>).</param>
public sealed record Series(string Label, IReadOnlyList<(double X, double Y)> Points, string? Colour = null)
{
    /// <summary>A shaded band around the line (e.g. the spread over seeds): the lower and upper y at each x, or null.</summary>
    public IReadOnlyList<(double X, double Low, double High)>? Band { get; init; }

    /// <summary>The index of a point drawn larger and ringed (e.g. the chosen learning rate), or null.</summary>
    public int? Highlight { get; init; }
}

/// <summary>
/// A line chart panel: one or more series (with optional bands) over linear or logarithmic axes, with nice
/// ticks, light grid lines, axis labels and a title. <see cref="Draw"/> renders it into a region of an
/// <see cref="Svg"/>, so a figure can hold several panels side by side (<see cref="Figure"/>) with one legend.
/// Each series is a group <c>&lt;g class="series" data-series="LABEL"&gt;</c> holding its band
/// (<c>class="band"</c>), line (<c>class="line"</c>, one polyline per unbroken run) and markers
/// (<c>class="marker"</c>), so figures can be checked and restyled by their structure.
/// </summary>
public sealed class LineChart
{
    private const double AxisLeft = 62, AxisBottom = 44, TitleHeight = 36, RightPad = 14;

    /// <summary>The panel title.</summary>
    public required string Title { get; init; }

    /// <summary>The x-axis label.</summary>
    public string XLabel { get; init; } = "";

    /// <summary>The y-axis label.</summary>
    public string YLabel { get; init; } = "";

    /// <summary>Logarithmic y axis (ticks at powers of ten).</summary>
    public bool LogY { get; init; }

    /// <summary>Logarithmic x axis (ticks at powers of ten).</summary>
    public bool LogX { get; init; }

    /// <summary>Only integer x ticks (e.g. layer numbers).</summary>
    public bool IntegerX { get; init; }

    /// <summary>Draw a marker at every point up to this many points per series (more: at about this many evenly spaced points).</summary>
    public int MaxMarkers { get; init; } = 40;

    /// <summary>The lines.</summary>
    public List<Series> Series { get; } = [];

    /// <summary>The style of series <paramref name="index"/> (its own colour if it has one).</summary>
    public SeriesStyle StyleOf(int index)
    {
        var style = SeriesStyle.Of(index);
        return Series[index].Colour is { } c ? style with { Colour = c } : style;
    }

    private bool Drawable(double x, double y) => double.IsFinite(x) && double.IsFinite(y) && (!LogY || y > 0) && (!LogX || x > 0);

    private bool Drawable((double X, double Y) p) => Drawable(p.X, p.Y);

    /// <summary>Draws the panel into the region (<paramref name="x"/>, <paramref name="y"/>, <paramref name="width"/>,
    /// <paramref name="height"/>) of <paramref name="svg"/>, title and axes included; <paramref name="clipId"/> names
    /// its clip path (unique in the document).</summary>
    public void Draw(Svg svg, double x, double y, double width, double height, string clipId)
    {
        double left = x + AxisLeft, top = y + TitleHeight, w = width - AxisLeft - RightPad, h = height - TitleHeight - AxisBottom;
        svg.Text(left + w / 2, y + 17, Title, 13, "middle", "font-weight=\"bold\"");
        var points = Series.SelectMany(s => s.Points).Where(Drawable).ToList();
        var bandPoints = Series.Where(s => s.Band is not null).SelectMany(s => s.Band!)
            .SelectMany(b => new[] { (b.X, b.Low), (b.X, b.High) }).Where(Drawable);
        var all = points.Concat(bandPoints).ToList();
        var (x0, x1) = LogX ? LogRange(all.Select(p => p.Item1)) : Range(all.Select(p => p.Item1), pad: false);
        if (IntegerX && !LogX) { x0 -= 0.5; x1 += 0.5; } // whole steps: keep the first and last markers off the frame
        else { double m = 0.03 * (x1 - x0); x0 -= m; x1 += m; } // keep markers at the ends inside the frame
        var (y0, y1) = LogY ? LogRange(all.Select(p => p.Item2)) : Range(all.Select(p => p.Item2), pad: true);
        double Px(double v) => left + ((LogX ? Math.Log10(v) : v) - x0) / (x1 - x0) * w;
        double Py(double v) => top + h - ((LogY ? Math.Log10(v) : v) - y0) / (y1 - y0) * h;

        svg.Raw($"<defs><clipPath id=\"{clipId}\"><rect x=\"{Svg.N(left)}\" y=\"{Svg.N(top)}\" width=\"{Svg.N(w)}\" height=\"{Svg.N(h)}\"/></clipPath></defs>");
        svg.Rect(left, top, w, h, "white");
        foreach (var (value, label) in AxisTicks(x0, x1, LogX).Where(t => LogX || !IntegerX || Math.Abs(t.Value - Math.Round(t.Value)) < 1e-9))
        {
            double p = left + (value - x0) / (x1 - x0) * w;
            svg.Line(p, top, p, top + h, "#e4e4e4");
            svg.Line(p, top + h, p, top + h + 5, "#333");
            svg.Text(p, top + h + 18, label, 11, "middle");
        }
        foreach (var (value, label) in AxisTicks(y0, y1, LogY))
        {
            double p = top + h - (value - y0) / (y1 - y0) * h;
            svg.Line(left, p, left + w, p, "#e4e4e4");
            svg.Line(left - 5, p, left, p, "#333");
            svg.Text(left - 8, p + 4, label, 11, "end");
        }
        svg.Text(left + w / 2, top + h + 36, XLabel, 12, "middle");
        double ly = top + h / 2, lx = x + 14;
        svg.Text(lx, ly, YLabel, 12, "middle", $"transform=\"rotate(-90 {Svg.N(lx)} {Svg.N(ly)})\"");

        var hidden = new List<string>();
        string clip = $"clip-path=\"url(#{clipId})\"";
        for (int i = 0; i < Series.Count; i++)
        {
            var series = Series[i];
            var style = StyleOf(i);
            var pts = series.Points;
            if (!pts.Any(Drawable)) { hidden.Add(series.Label); continue; }
            svg.Raw($"<g class=\"series\" data-series=\"{System.Net.WebUtility.HtmlEncode(series.Label)}\">");
            if (series.Band is { Count: > 1 } band)
            {
                var ok = band.Where(b => Drawable(b.X, b.Low) && Drawable(b.X, b.High)).ToList();
                if (ok.Count > 1)
                {
                    var d = new StringBuilder();
                    for (int k = 0; k < ok.Count; k++) d.Append(k == 0 ? 'M' : 'L').Append(Svg.N(Px(ok[k].X))).Append(' ').Append(Svg.N(Py(ok[k].High)));
                    for (int k = ok.Count - 1; k >= 0; k--) d.Append('L').Append(Svg.N(Px(ok[k].X))).Append(' ').Append(Svg.N(Py(ok[k].Low)));
                    svg.Path(d.Append('Z').ToString(), "none", 0, style.Colour, $"class=\"band\" fill-opacity=\"0.16\" {clip}");
                }
            }
            foreach (var run in Runs(pts))
            {
                var px = run.Select(p => (Px(p.X), Py(p.Y))).ToList();
                if (px.Count > 1) svg.Polyline(px, style.Colour, 2, $"class=\"line\"{style.DashAttribute} {clip} stroke-linejoin=\"round\"");
            }
            var drawable = pts.Select((p, k) => (p, k)).Where(t => Drawable(t.p)).ToList();
            int every = Math.Max(1, (int)Math.Ceiling(drawable.Count / (double)Math.Max(1, MaxMarkers)));
            for (int k = 0; k < drawable.Count; k++)
                if (k % every == 0 || k == drawable.Count - 1)
                    style.DrawMarker(svg, Px(drawable[k].p.X), Py(drawable[k].p.Y), 3, clip);
            if (series.Highlight is int hi && hi >= 0 && hi < pts.Count && Drawable(pts[hi]))
                svg.Raw($"<circle class=\"highlight\" cx=\"{Svg.N(Px(pts[hi].X))}\" cy=\"{Svg.N(Py(pts[hi].Y))}\" r=\"7\" fill=\"none\" stroke=\"{style.Colour}\" stroke-width=\"2\" {clip}/>");
            svg.Raw("</g>");
        }
        if (hidden.Count > 0)
            svg.Text(left + w / 2, top - 6, "not drawn (" + (LogY || LogX ? "zero" : "not finite") + "): " + string.Join(", ", hidden), 10, "middle", "fill=\"#555\"");
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

    /// <summary>An axis range in log₁₀ units: whole decades around the data, or a little more than the data when
    /// it spans less than a decade.</summary>
    private static (double, double) LogRange(IEnumerable<double> values)
    {
        var v = values.Select(Math.Log10).ToList();
        if (v.Count == 0) return (-1, 1);
        double lo = v.Min(), hi = v.Max();
        double flo = Math.Floor(lo), chi = Math.Ceiling(hi);
        if (chi - flo <= 1 && hi - lo > 0) { double m = 0.08 * (hi - lo); return (lo - m, hi + m); }
        if (chi - flo < 1) { flo -= 1; chi += 1; }
        return (flo, chi);
    }

    /// <summary>Ticks as (position in axis units, label): nice numbers on a linear axis; on a log axis (units of
    /// log₁₀) powers of ten, or 1-2-5 steps inside a range narrower than two decades.</summary>
    private static IEnumerable<(double Value, string Label)> AxisTicks(double a0, double a1, bool log)
    {
        if (!log) return Ticks.Nice(a0, a1).Select(t => (t, Ticks.Label(t)));
        var ticks = new List<(double, string)>();
        if (a1 - a0 < 2)
        {
            for (int e = (int)Math.Floor(a0); e <= (int)Math.Ceiling(a1); e++)
                foreach (double m in new[] { 1.0, 2.0, 5.0 })
                {
                    double v = Math.Log10(m) + e;
                    if (v >= a0 - 1e-9 && v <= a1 + 1e-9) ticks.Add((v, m == 1 ? PowerOfTen(e) : Ticks.Label(m * Math.Pow(10, e))));
                }
            if (ticks.Count >= 2) return ticks;
            ticks.Clear();
        }
        int step = Math.Max(1, (int)Math.Ceiling((a1 - a0) / 8));
        for (int e = (int)Math.Ceiling(a0 - 1e-9); e <= (int)Math.Floor(a1 + 1e-9); e += step) ticks.Add((e, PowerOfTen(e)));
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
    public static Svg Figure(string title, IReadOnlyList<LineChart> panels, double panelWidth = 380, double panelHeight = 320, string? note = null)
    {
        ArgumentOutOfRangeException.ThrowIfZero(panels.Count);
        var first = panels[0];
        const double legendRow = 18;
        int columns = panels.Count == 1 ? 2 : 3;
        double legendHeight = 16 + legendRow * Math.Ceiling(first.Series.Count / (double)columns) + (note is null ? 0 : 18);
        var svg = new Svg(panelWidth * panels.Count + 20, 40 + panelHeight + legendHeight);
        svg.Rect(0, 0, svg.Width, svg.Height, "white");
        svg.Text(svg.Width / 2, 24, title, 15, "middle");
        for (int i = 0; i < panels.Count; i++) panels[i].Draw(svg, 10 + i * panelWidth, 36, panelWidth, panelHeight, $"panel{i}");
        double legendTop = 36 + panelHeight + 12, column = (svg.Width - 40) / columns;
        svg.Raw("<g class=\"legend\">");
        for (int i = 0; i < first.Series.Count; i++)
        {
            var style = first.StyleOf(i);
            double lx = 20 + column * (i % columns) + AxisLeft, ly = legendTop + legendRow * (i / columns) + 6;
            svg.Line(lx, ly - 4, lx + 26, ly - 4, style.Colour, 2.2, style.DashAttribute.TrimStart());
            style.DrawMarker(svg, lx + 13, ly - 4, 3);
            svg.Text(lx + 32, ly, first.Series[i].Label, 12);
        }
        svg.Raw("</g>");
        if (note is not null) svg.Text(svg.Width / 2, svg.Height - 8, note, 11, "middle", "fill=\"#444\"");
        return svg;
    }
}
