using System.Text;
using Descent.Problems.Functions;

namespace Descent.Cli.Plots;

/// <summary>
/// A contour plot of f(x, y) with optimization paths: contour lines at levels evenly spaced in
/// log(f − min f + δ) (so the floor of a valley and its walls both show; linearly when f goes negative), coloured from dark (low) to light
/// (high), axes with nice ticks, each path as a line through its iterates with a start and an end marker,
/// and known minimizers as crosses. Written as a self-contained SVG.
/// </summary>
public sealed class ContourPlot
{
    private const double Left = 64, Right = 24, Top = 40, Bottom = 52, Size = 440;
    private const int Grid = 121, Levels = 16;

    private static readonly string[] Palette = ["#440154", "#46327e", "#365c8d", "#277f8e", "#1fa187", "#4ac16d", "#a0da39", "#fde725"];

    private readonly Func<double, double, double> f;
    private readonly List<(string Label, IReadOnlyList<double[]> Points)> paths = [];
    private readonly List<double[]> minimizers = [];

    /// <summary>A plot of <paramref name="function"/> over the box [x0, x1] × [y0, y1].</summary>
    public ContourPlot(Func<double, double, double> function, (double Min, double Max) x, (double Min, double Max) y, string title)
    {
        f = function;
        X = x;
        Y = y;
        Title = title;
    }

    /// <summary>The plotted x range.</summary>
    public (double Min, double Max) X { get; private set; }

    /// <summary>The plotted y range.</summary>
    public (double Min, double Max) Y { get; private set; }

    /// <summary>The title.</summary>
    public string Title { get; }

    /// <summary>A plot of a 2-D test function with one path; the box is the function's usual range widened
    /// to hold the path and its known minimizers.</summary>
    public static ContourPlot ForFunction(TestFunction function, IReadOnlyList<double[]> path, string title)
    {
        if (function.Dimension != 2) throw new ConfigurationException($"A contour plot needs a 2-D function; {function.Name} has {function.Dimension} variables.");
        var range = function.PlotRange;
        var plot = new ContourPlot((a, b) => function.Value([a, b]), range, range, title);
        foreach (var m in function.Minimizers) plot.AddMinimizer(m);
        plot.AddPath("path", path);
        plot.FitToContent();
        return plot;
    }

    /// <summary>A plot of a 2-D test function with several labelled paths (e.g. one per optimizer).</summary>
    public static ContourPlot ForFunction(TestFunction function, IReadOnlyList<(string Label, IReadOnlyList<double[]> Path)> paths, string title)
    {
        if (function.Dimension != 2) throw new ConfigurationException($"A contour plot needs a 2-D function; {function.Name} has {function.Dimension} variables.");
        var range = function.PlotRange;
        var plot = new ContourPlot((a, b) => function.Value([a, b]), range, range, title);
        foreach (var m in function.Minimizers) plot.AddMinimizer(m);
        foreach (var (label, path) in paths) plot.AddPath(label, path);
        plot.FitToContent();
        return plot;
    }

    /// <summary>Adds a path (its iterates, start first).</summary>
    public ContourPlot AddPath(string label, IReadOnlyList<double[]> points)
    {
        paths.Add((label, points));
        return this;
    }

    /// <summary>Marks a known minimizer.</summary>
    public ContourPlot AddMinimizer(double[] point)
    {
        minimizers.Add(point);
        return this;
    }

    /// <summary>Widens the box to hold every finite path point and minimizer, with a 5% margin.</summary>
    public ContourPlot FitToContent()
    {
        var (x0, x1, y0, y1) = (X.Min, X.Max, Y.Min, Y.Max);
        foreach (var p in paths.SelectMany(p => p.Points).Concat(minimizers))
        {
            if (!double.IsFinite(p[0]) || !double.IsFinite(p[1])) continue;
            x0 = Math.Min(x0, p[0]); x1 = Math.Max(x1, p[0]);
            y0 = Math.Min(y0, p[1]); y1 = Math.Max(y1, p[1]);
        }
        // A diverging path would shrink the function to a dot: grow the box by at most half its size each way.
        double wx = X.Max - X.Min, wy = Y.Max - Y.Min;
        x0 = Math.Max(x0, X.Min - 0.5 * wx); x1 = Math.Min(x1, X.Max + 0.5 * wx);
        y0 = Math.Max(y0, Y.Min - 0.5 * wy); y1 = Math.Min(y1, Y.Max + 0.5 * wy);
        double mx = (x1 - x0) * 0.05, my = (y1 - y0) * 0.05;
        bool grew = x0 < X.Min || x1 > X.Max || y0 < Y.Min || y1 > Y.Max;
        if (grew) { X = (x0 - mx, x1 + mx); Y = (y0 - my, y1 + my); }
        return this;
    }

    /// <summary>The SVG document; with <paramref name="animate"/>, every path is drawn step by step in
    /// <paramref name="seconds"/> seconds, all optimizers in lockstep (SMIL animation, repeating), with a moving marker
    /// at each one's current iterate.</summary>
    public string ToSvg(bool animate = false, double seconds = 8)
    {
        var svg = new Svg(Left + Size + Right, Top + Size + Bottom);
        svg.Rect(0, 0, svg.Width, svg.Height, "white");
        svg.Raw($"<defs><clipPath id=\"plot\"><rect x=\"{Svg.N(Left)}\" y=\"{Svg.N(Top)}\" width=\"{Svg.N(Size)}\" height=\"{Svg.N(Size)}\"/></clipPath></defs>");
        svg.Text(Left + Size / 2, 24, Title, 15, "middle");
        DrawContours(svg);
        DrawAxes(svg);
        foreach (var m in minimizers) DrawCross(svg, Px(m[0]), Py(m[1]));
        int steps = paths.Count == 0 ? 0 : paths.Max(p => p.Points.Count) - 1;
        for (int i = 0; i < paths.Count; i++) DrawPath(svg, paths[i].Label, paths[i].Points, SeriesStyle.Of(i), animate ? (seconds, steps) : null);
        if (animate) svg.Text(Left + 6, Top + Size - 8, $"{steps} steps in {seconds:0.#} s, repeating", 11, extra: "fill=\"#333\"");
        DrawLegend(svg);
        svg.Rect(Left, Top, Size, Size, "none", "#333");
        return svg.ToString();
    }

    /// <summary>Writes the SVG to <paramref name="path"/> (animated with <paramref name="animate"/>).</summary>
    public void Save(string path, bool animate = false) => OutputFile.Write(path, ToSvg(animate));

    private double Px(double x) => Left + (x - X.Min) / (X.Max - X.Min) * Size;

    private double Py(double y) => Top + Size - (y - Y.Min) / (Y.Max - Y.Min) * Size;

    private void DrawContours(Svg svg)
    {
        var z = new double[Grid, Grid];
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        for (int r = 0; r < Grid; r++)
            for (int c = 0; c < Grid; c++)
            {
                double v = f(X.Min + (X.Max - X.Min) * c / (Grid - 1), Y.Min + (Y.Max - Y.Min) * r / (Grid - 1));
                z[r, c] = v;
                if (double.IsFinite(v)) { lo = Math.Min(lo, v); hi = Math.Max(hi, v); }
            }
        if (!(hi > lo)) return;
        // Levels evenly spaced in log(f − min + δ) for functions bounded below by their minimum in the box
        // (valleys and walls both show); evenly spaced in f when f goes negative (saddles).
        bool logScale = lo >= 0;
        double delta = (hi - lo) * 1e-4;
        if (logScale)
            for (int r = 0; r < Grid; r++)
                for (int c = 0; c < Grid; c++) z[r, c] = Math.Log(z[r, c] - lo + delta);
        double zlo = logScale ? Math.Log(delta) : lo, zhi = logScale ? Math.Log(hi - lo + delta) : hi;
        double sx = Size / (Grid - 1.0), sy = Size / (Grid - 1.0);
        for (int k = 1; k <= Levels; k++)
        {
            double t = (k - 0.5) / Levels;
            var segments = MarchingSquares.Segments(z, zlo + t * (zhi - zlo));
            if (segments.Count == 0) continue;
            var d = new StringBuilder();
            foreach (var (a, b) in segments)
                d.Append('M').Append(Svg.N(Left + a.X * sx)).Append(' ').Append(Svg.N(Top + Size - a.Y * sy))
                 .Append('L').Append(Svg.N(Left + b.X * sx)).Append(' ').Append(Svg.N(Top + Size - b.Y * sy));
            svg.Path(d.ToString(), Colour(t), 1.1, extra: "clip-path=\"url(#plot)\" stroke-linecap=\"round\"");
        }
    }

    private void DrawAxes(Svg svg)
    {
        foreach (var t in Ticks.Nice(X.Min, X.Max))
        {
            double p = Px(t);
            svg.Line(p, Top + Size, p, Top + Size + 5, "#333");
            svg.Text(p, Top + Size + 19, Ticks.Label(t), 11, "middle");
        }
        foreach (var t in Ticks.Nice(Y.Min, Y.Max))
        {
            double p = Py(t);
            svg.Line(Left - 5, p, Left, p, "#333");
            svg.Text(Left - 8, p + 4, Ticks.Label(t), 11, "end");
        }
        svg.Text(Left + Size / 2, Top + Size + 40, "x0", 13, "middle");
        svg.Text(18, Top + Size / 2, "x1", 13, "middle", $"transform=\"rotate(-90 18 {Svg.N(Top + Size / 2)})\"");
    }

    private void DrawPath(Svg svg, string label, IReadOnlyList<double[]> points, SeriesStyle style, (double Seconds, int Steps)? animation)
    {
        var finite = points.Where(p => double.IsFinite(p[0]) && double.IsFinite(p[1])).Select(p => (Px(p[0]), Py(p[1]))).ToList();
        if (finite.Count == 0) return;
        const string clip = "clip-path=\"url(#plot)\"";
        svg.Raw($"<g class=\"path\" data-series=\"{System.Net.WebUtility.HtmlEncode(label)}\">");
        if (animation is { } a)
        {
            // Reveal the line by its length at each step's share of the time: dash offset 1 − (length to iterate k)/(total).
            var cumulative = new double[finite.Count];
            for (int k = 1; k < finite.Count; k++)
                cumulative[k] = cumulative[k - 1] + Math.Sqrt(Math.Pow(finite[k].Item1 - finite[k - 1].Item1, 2) + Math.Pow(finite[k].Item2 - finite[k - 1].Item2, 2));
            double total = Math.Max(cumulative[^1], 1e-9);
            var frames = Frames(finite.Count, a.Steps);
            string times = string.Join(";", frames.Select(f => Svg.N4(f.Time)));
            string offsets = string.Join(";", frames.Select(f => Svg.N4(1 - cumulative[f.Index] / total)));
            string dur = $"dur=\"{Svg.N(a.Seconds)}s\" repeatCount=\"indefinite\"";
            svg.Raw($"<polyline class=\"line\" points=\"{string.Join(' ', finite.Select(p => Svg.N(p.Item1) + "," + Svg.N(p.Item2)))}\" fill=\"none\" stroke=\"{style.Colour}\" stroke-width=\"2\" " +
                    $"pathLength=\"1\" stroke-dasharray=\"1 1\" stroke-dashoffset=\"1\" stroke-linejoin=\"round\" {clip}>" +
                    $"<animate attributeName=\"stroke-dashoffset\" values=\"{offsets}\" keyTimes=\"{times}\" {dur}/></polyline>");
            string xs = string.Join(";", frames.Select(f => Svg.N(finite[f.Index].Item1))), ys = string.Join(";", frames.Select(f => Svg.N(finite[f.Index].Item2)));
            svg.Raw($"<circle class=\"head\" cx=\"{Svg.N(finite[0].Item1)}\" cy=\"{Svg.N(finite[0].Item2)}\" r=\"5\" fill=\"{style.Colour}\" stroke=\"white\" stroke-width=\"1.5\" {clip}>" +
                    $"<animate attributeName=\"cx\" values=\"{xs}\" keyTimes=\"{times}\" {dur}/><animate attributeName=\"cy\" values=\"{ys}\" keyTimes=\"{times}\" {dur}/></circle>");
        }
        else
        {
            svg.Polyline(finite, style.Colour, 1.8, $"class=\"line\"{style.DashAttribute} {clip} stroke-linejoin=\"round\"");
            if (finite.Count <= 200)
                foreach (var (x, y) in finite.Where((_, k) => k % Math.Max(1, finite.Count / 40) == 0)) style.DrawMarker(svg, x, y, 2.4, clip);
        }
        svg.Circle(finite[0].Item1, finite[0].Item2, 5.5, "white", style.Colour, clip);
        if (animation is null) svg.Circle(finite[^1].Item1, finite[^1].Item2, 5.5, style.Colour, "white", clip);
        svg.Raw("</g>");
    }

    /// <summary>The animation's frames: (iterate index, time in [0, 1]) at most 400 of them, iterate k shown at k/steps
    /// (a path that ends early, e.g. by diverging, holds its last point).</summary>
    private static List<(int Index, double Time)> Frames(int count, int steps)
    {
        int n = Math.Max(1, steps);
        int stride = Math.Max(1, (int)Math.Ceiling(n / 400.0));
        var frames = new List<(int, double)>();
        for (int k = 0; k <= n; k += stride) frames.Add((Math.Min(k, count - 1), (double)k / n));
        if (frames[^1].Item2 < 1) frames.Add((Math.Min(n, count - 1), 1));
        return frames;
    }

    private void DrawLegend(Svg svg)
    {
        double y = Top + Size + 40;
        double x = Left + Size;
        string marks = "○ start   ● end" + (minimizers.Count > 0 ? "   × minimum" : "");
        svg.Text(x, y, marks, 11, "end");
        if (paths.Count < 2) return;
        for (int i = 0; i < paths.Count; i++)
        {
            double ly = Top + 14 + 15 * i;
            svg.Rect(Left + 6, ly - 11, 12 + 7.2 * paths[i].Label.Length, 15, "white", extra: "opacity=\"0.8\"");
            var style = SeriesStyle.Of(i);
            svg.Line(Left + 6, ly - 4, Left + 18, ly - 4, style.Colour, 2.5, style.Dash is null ? null : style.DashAttribute.TrimStart());
            svg.Text(Left + 21, ly, paths[i].Label, 11);
        }
    }

    private static void DrawCross(Svg svg, double x, double y)
    {
        svg.Line(x - 5, y - 5, x + 5, y + 5, "black", 1.5, "clip-path=\"url(#plot)\"");
        svg.Line(x - 5, y + 5, x + 5, y - 5, "black", 1.5, "clip-path=\"url(#plot)\"");
    }

    /// <summary>The palette colour at <paramref name="t"/> ∈ [0, 1] (linear between the anchors).</summary>
    private static string Colour(double t)
    {
        double s = Math.Clamp(t, 0, 1) * (Palette.Length - 1);
        int i = Math.Min((int)s, Palette.Length - 2);
        double u = s - i;
        static (int, int, int) Rgb(string h) => (Convert.ToInt32(h[1..3], 16), Convert.ToInt32(h[3..5], 16), Convert.ToInt32(h[5..7], 16));
        var (r0, g0, b0) = Rgb(Palette[i]);
        var (r1, g1, b1) = Rgb(Palette[i + 1]);
        return $"#{(int)Math.Round(r0 + u * (r1 - r0)):x2}{(int)Math.Round(g0 + u * (g1 - g0)):x2}{(int)Math.Round(b0 + u * (b1 - b0)):x2}";
    }
}
