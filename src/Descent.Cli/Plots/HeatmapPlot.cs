using System.Text;

namespace Descent.Cli.Plots;

/// <summary>
/// A heat map of values on a regular grid (a loss surface over two directions) with contour lines, a colour
/// bar, marked points and an optional path (a projected training trajectory). Colours run from dark to light
/// (viridis, whose lightness rises monotonically, so the figure reads in grayscale); with
/// <see cref="LogScale"/> the colours and contour levels are spaced in log(z − min + δ), so a narrow valley and
/// the walls around it both show. Written as a self-contained SVG.
/// </summary>
public sealed class HeatmapPlot
{
    private const double Left = 70, Top = 62, Size = 440, Bottom = 56, BarGap = 18, BarWidth = 18, Right = 76;
    private const int Levels = 12;
    private static readonly string[] Viridis = ["#440154", "#46327e", "#365c8d", "#277f8e", "#1fa187", "#4ac16d", "#a0da39", "#fde725"];

    private readonly double[] xs;
    private readonly double[] ys;
    private readonly double[,] z;
    private readonly List<(string Label, double X, double Y)> marks = [];
    private readonly List<(double X, double Y, string Label)> path = [];

    /// <summary>A heat map of <paramref name="values"/>[row, column] at x = <paramref name="x"/>[column], y = <paramref name="y"/>[row].</summary>
    public HeatmapPlot(double[] x, double[] y, double[,] values, string title)
    {
        if (values.GetLength(0) != y.Length || values.GetLength(1) != x.Length)
            throw new ArgumentException($"A {values.GetLength(0)}×{values.GetLength(1)} grid for {y.Length} y and {x.Length} x values.");
        xs = x;
        ys = y;
        z = values;
        Title = title;
    }

    /// <summary>The title.</summary>
    public string Title { get; }

    /// <summary>A second title line (what the plane is).</summary>
    public string Subtitle { get; init; } = "";

    /// <summary>The x-axis label.</summary>
    public string XLabel { get; init; } = "α";

    /// <summary>The y-axis label.</summary>
    public string YLabel { get; init; } = "β";

    /// <summary>The colour bar's label.</summary>
    public string ValueLabel { get; init; } = "loss";

    /// <summary>Colours and contour levels spaced logarithmically above the minimum.</summary>
    public bool LogScale { get; init; } = true;

    /// <summary>Marks a point (a cross with a label).</summary>
    public HeatmapPlot Mark(string label, double x, double y)
    {
        marks.Add((label, x, y));
        return this;
    }

    /// <summary>Adds a point of the path (drawn in order, each with its label).</summary>
    public HeatmapPlot PathPoint(double x, double y, string label)
    {
        path.Add((x, y, label));
        return this;
    }

    /// <summary>The SVG document.</summary>
    public string ToSvg()
    {
        var svg = new Svg(Left + Size + BarGap + BarWidth + Right, Top + Size + Bottom);
        svg.Rect(0, 0, svg.Width, svg.Height, "white");
        svg.Text(svg.Width / 2, 24, Title, 15, "middle");
        if (Subtitle.Length > 0) svg.Text(svg.Width / 2, 44, Subtitle, 12, "middle", "fill=\"#333\"");
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        foreach (var v in z)
            if (double.IsFinite(v)) { lo = Math.Min(lo, v); hi = Math.Max(hi, v); }
        if (!(hi > lo)) hi = lo + 1;
        bool log = LogScale;
        double delta = (hi - lo) * 1e-3;
        double T(double v) => log ? Math.Log(v - lo + delta) : v;
        double tlo = T(lo), thi = T(hi);
        double Unit(double v) => (T(v) - tlo) / (thi - tlo);
        double x0 = xs[0], x1 = xs[^1], y0 = ys[0], y1 = ys[^1];
        double Px(double v) => Left + (v - x0) / (x1 - x0) * Size;
        double Py(double v) => Top + Size - (v - y0) / (y1 - y0) * Size;

        // Cells: each grid value fills the rectangle halfway to its neighbours.
        svg.Raw($"<defs><clipPath id=\"heat\"><rect x=\"{Svg.N(Left)}\" y=\"{Svg.N(Top)}\" width=\"{Svg.N(Size)}\" height=\"{Svg.N(Size)}\"/></clipPath></defs>");
        svg.Raw("<g clip-path=\"url(#heat)\" shape-rendering=\"crispEdges\">");
        for (int r = 0; r < ys.Length; r++)
            for (int c = 0; c < xs.Length; c++)
            {
                double xa = Px(c == 0 ? xs[0] - (xs[1] - xs[0]) / 2 : (xs[c - 1] + xs[c]) / 2);
                double xb = Px(c == xs.Length - 1 ? xs[^1] + (xs[^1] - xs[^2]) / 2 : (xs[c] + xs[c + 1]) / 2);
                double ya = Py(r == 0 ? ys[0] - (ys[1] - ys[0]) / 2 : (ys[r - 1] + ys[r]) / 2);
                double yb = Py(r == ys.Length - 1 ? ys[^1] + (ys[^1] - ys[^2]) / 2 : (ys[r] + ys[r + 1]) / 2);
                string fill = double.IsFinite(z[r, c]) ? Colour(Unit(z[r, c])) : "#ffffff";
                svg.Rect(xa, yb, xb - xa, ya - yb, fill);
            }
        svg.Raw("</g>");
        // Contour lines in the transformed values.
        var tz = new double[ys.Length, xs.Length];
        for (int r = 0; r < ys.Length; r++)
            for (int c = 0; c < xs.Length; c++) tz[r, c] = double.IsFinite(z[r, c]) ? T(z[r, c]) : double.NaN;
        double gx = Size / (xs.Length - 1.0), gy = Size / (ys.Length - 1.0);
        for (int k = 1; k <= Levels; k++)
        {
            var segments = MarchingSquares.Segments(tz, tlo + (k - 0.5) / Levels * (thi - tlo));
            if (segments.Count == 0) continue;
            var d = new StringBuilder();
            foreach (var (a, b) in segments)
                d.Append('M').Append(Svg.N(Left + a.X * gx)).Append(' ').Append(Svg.N(Top + Size - a.Y * gy))
                 .Append('L').Append(Svg.N(Left + b.X * gx)).Append(' ').Append(Svg.N(Top + Size - b.Y * gy));
            svg.Path(d.ToString(), "#000000", 0.8, extra: "stroke-opacity=\"0.45\" clip-path=\"url(#heat)\"");
        }
        DrawPath(svg, Px, Py);
        foreach (var (label, x, y) in marks)
        {
            double px = Px(x), py = Py(y);
            svg.Line(px - 6, py - 6, px + 6, py + 6, "#ffffff", 4).Line(px - 6, py + 6, px + 6, py - 6, "#ffffff", 4);
            svg.Line(px - 6, py - 6, px + 6, py + 6, "#000000", 2).Line(px - 6, py + 6, px + 6, py - 6, "#000000", 2);
            svg.Text(px + 9, py - 8, label, 12, extra: "font-weight=\"bold\" stroke=\"white\" stroke-width=\"3\" paint-order=\"stroke\"");
        }
        svg.Rect(Left, Top, Size, Size, "none", "#333");
        Axes(svg, Px, Py);
        ColourBar(svg, lo, hi, Unit);
        return svg.ToString();
    }

    /// <summary>Writes the SVG to <paramref name="file"/>.</summary>
    public void Save(string file) => OutputFile.Write(file, ToSvg());

    private void DrawPath(Svg svg, Func<double, double> px, Func<double, double> py)
    {
        if (path.Count == 0) return;
        var pts = path.Select(p => (px(p.X), py(p.Y))).ToList();
        svg.Polyline(pts, "#000000", 4, "stroke-linejoin=\"round\" clip-path=\"url(#heat)\"");
        svg.Polyline(pts, "#ffffff", 2, "stroke-linejoin=\"round\" clip-path=\"url(#heat)\"");
        for (int i = 0; i < pts.Count; i++)
        {
            svg.Circle(pts[i].Item1, pts[i].Item2, 4, "#ffffff", "#000000");
            if (pts.Count <= 30)
                svg.Text(pts[i].Item1 + 6, pts[i].Item2 + 14, path[i].Label, 11, extra: "stroke=\"white\" stroke-width=\"3\" paint-order=\"stroke\"");
        }
    }

    private void Axes(Svg svg, Func<double, double> px, Func<double, double> py)
    {
        foreach (var t in Ticks.Nice(xs[0], xs[^1]))
        {
            double p = px(t);
            svg.Line(p, Top + Size, p, Top + Size + 5, "#333");
            svg.Text(p, Top + Size + 19, Ticks.Label(t), 11, "middle");
        }
        foreach (var t in Ticks.Nice(ys[0], ys[^1]))
        {
            double p = py(t);
            svg.Line(Left - 5, p, Left, p, "#333");
            svg.Text(Left - 8, p + 4, Ticks.Label(t), 11, "end");
        }
        svg.Text(Left + Size / 2, Top + Size + 42, XLabel, 13, "middle");
        svg.Text(20, Top + Size / 2, YLabel, 13, "middle", $"transform=\"rotate(-90 20 {Svg.N(Top + Size / 2)})\"");
    }

    private void ColourBar(Svg svg, double lo, double hi, Func<double, double> unit)
    {
        double x = Left + Size + BarGap;
        const int steps = 64;
        for (int i = 0; i < steps; i++)
            svg.Rect(x, Top + Size - (i + 1) * Size / steps, BarWidth, Size / steps + 0.5, Colour((i + 0.5) / steps), extra: "shape-rendering=\"crispEdges\"");
        svg.Rect(x, Top, BarWidth, Size, "none", "#333");
        var ticks = LogScale ? LogTicks(lo, hi, unit) : Ticks.Nice(lo, hi);
        foreach (var t in ticks)
        {
            double u = unit(t);
            if (!(u >= -1e-9 && u <= 1 + 1e-9)) continue;
            double p = Top + Size - u * Size;
            svg.Line(x + BarWidth, p, x + BarWidth + 4, p, "#333");
            svg.Text(x + BarWidth + 7, p + 4, Ticks.Label(t), 11);
        }
        double cx = x + BarWidth + 62;
        svg.Text(cx, Top + Size / 2, ValueLabel, 12, "middle", $"transform=\"rotate(90 {Svg.N(cx)} {Svg.N(Top + Size / 2)})\"");
    }

    /// <summary>Tick values for a log-spaced bar: the minimum, the maximum and the numbers 1, 2 and 5 × 10ᵏ between
    /// them, keeping only ticks at least 7% of the bar apart.</summary>
    private static IEnumerable<double> LogTicks(double lo, double hi, Func<double, double> unit)
    {
        var candidates = new List<double>();
        int e0 = (int)Math.Floor(Math.Log10(Math.Max(Math.Abs(hi - lo), 1e-300))) - 4, e1 = e0 + 8;
        for (int e = e0; e <= e1; e++)
            foreach (double m in new[] { 1.0, 2, 5 })
            {
                double v = m * Math.Pow(10, e);
                foreach (double c in new[] { v, -v })
                    if (c > lo && c < hi) candidates.Add(c);
            }
        candidates.AddRange(Ticks.Nice(lo, hi).Where(t => t > lo && t < hi));
        var chosen = new List<double> { lo, hi };
        foreach (var c in candidates.Distinct().OrderBy(c => c))
            if (chosen.All(t => Math.Abs(unit(t) - unit(c)) >= 0.07)) chosen.Add(c);
        return chosen.Order();
    }

    /// <summary>The viridis colour at <paramref name="t"/> ∈ [0, 1].</summary>
    public static string Colour(double t)
    {
        double s = Math.Clamp(double.IsFinite(t) ? t : 0, 0, 1) * (Viridis.Length - 1);
        int i = Math.Min((int)s, Viridis.Length - 2);
        double u = s - i;
        static (int, int, int) Rgb(string h) => (Convert.ToInt32(h[1..3], 16), Convert.ToInt32(h[3..5], 16), Convert.ToInt32(h[5..7], 16));
        var (r0, g0, b0) = Rgb(Viridis[i]);
        var (r1, g1, b1) = Rgb(Viridis[i + 1]);
        return $"#{(int)Math.Round(r0 + u * (r1 - r0)):x2}{(int)Math.Round(g0 + u * (g1 - g0)):x2}{(int)Math.Round(b0 + u * (b1 - b0)):x2}";
    }
}
