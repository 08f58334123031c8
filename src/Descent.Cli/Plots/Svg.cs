using System.Globalization;
using System.Net;
using System.Text;

namespace Descent.Cli.Plots;

/// <summary>
/// A minimal SVG document writer: rectangles, lines, paths, polylines, circles and text, with numbers
/// written compactly in invariant culture. Self-contained (no dependency), for the plots of the
/// <c>descent</c> command and its reports.
/// </summary>
public sealed class Svg
{
    private readonly StringBuilder body = new();

    /// <summary>Starts a document of <paramref name="width"/> × <paramref name="height"/> pixels.</summary>
    public Svg(double width, double height)
    {
        Width = width;
        Height = height;
    }

    /// <summary>Width in pixels.</summary>
    public double Width { get; }

    /// <summary>Height in pixels.</summary>
    public double Height { get; }

    /// <summary>A number with at most two decimals.</summary>
    public static string N(double x) => Math.Round(x, 2).ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>A number with at most four decimals (animation times and fractions).</summary>
    public static string N4(double x) => Math.Round(x, 4).ToString("0.####", CultureInfo.InvariantCulture);

    /// <summary>Adds raw markup (e.g. a <c>&lt;defs&gt;</c> block).</summary>
    public Svg Raw(string markup)
    {
        body.Append(markup).Append('\n');
        return this;
    }

    /// <summary>A rectangle.</summary>
    public Svg Rect(double x, double y, double w, double h, string fill, string? stroke = null, string? extra = null) =>
        Raw($"<rect x=\"{N(x)}\" y=\"{N(y)}\" width=\"{N(w)}\" height=\"{N(h)}\" fill=\"{fill}\"{Stroke(stroke, 1)}{Extra(extra)}/>");

    /// <summary>A line segment.</summary>
    public Svg Line(double x1, double y1, double x2, double y2, string stroke, double width = 1, string? extra = null) =>
        Raw($"<line x1=\"{N(x1)}\" y1=\"{N(y1)}\" x2=\"{N(x2)}\" y2=\"{N(y2)}\"{Stroke(stroke, width)}{Extra(extra)}/>");

    /// <summary>A path from its data string (<c>M x y L x y …</c>).</summary>
    public Svg Path(string data, string stroke, double width = 1, string fill = "none", string? extra = null) =>
        Raw($"<path d=\"{data}\" fill=\"{fill}\"{Stroke(stroke, width)}{Extra(extra)}/>");

    /// <summary>A polyline through <paramref name="points"/>.</summary>
    public Svg Polyline(IEnumerable<(double X, double Y)> points, string stroke, double width = 1, string? extra = null) =>
        Raw($"<polyline points=\"{string.Join(' ', points.Select(p => N(p.X) + "," + N(p.Y)))}\" fill=\"none\"{Stroke(stroke, width)}{Extra(extra)}/>");

    /// <summary>A circle.</summary>
    public Svg Circle(double cx, double cy, double r, string fill, string? stroke = null, string? extra = null) =>
        Raw($"<circle cx=\"{N(cx)}\" cy=\"{N(cy)}\" r=\"{N(r)}\" fill=\"{fill}\"{Stroke(stroke, 1.5)}{Extra(extra)}/>");

    /// <summary>Text; <paramref name="anchor"/> is <c>start</c>, <c>middle</c> or <c>end</c>.</summary>
    public Svg Text(double x, double y, string text, double size = 12, string anchor = "start", string? extra = null) =>
        Raw($"<text x=\"{N(x)}\" y=\"{N(y)}\" font-size=\"{N(size)}\" text-anchor=\"{anchor}\"{Extra(extra)}>{WebUtility.HtmlEncode(text)}</text>");

    /// <summary>The document.</summary>
    public override string ToString() =>
        $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{N(Width)}\" height=\"{N(Height)}\" viewBox=\"0 0 {N(Width)} {N(Height)}\" " +
        $"font-family=\"Helvetica, Arial, sans-serif\">\n{body}</svg>\n";

    /// <summary>Writes the document to <paramref name="path"/> (creating its directory).</summary>
    public void Save(string path) => OutputFile.Write(path, ToString());

    private static string Stroke(string? stroke, double width) =>
        stroke is null ? "" : $" stroke=\"{stroke}\" stroke-width=\"{N(width)}\"";

    private static string Extra(string? extra) => extra is null ? "" : " " + extra;
}
