namespace Descent.Cli.Plots;

/// <summary>The marker drawn at a series' points.</summary>
public enum MarkerShape
{
    /// <summary>A filled circle.</summary>
    Circle,

    /// <summary>A filled square.</summary>
    Square,

    /// <summary>A filled triangle pointing up.</summary>
    Triangle,

    /// <summary>A filled diamond.</summary>
    Diamond,

    /// <summary>A filled triangle pointing down.</summary>
    TriangleDown,

    /// <summary>A hollow circle.</summary>
    Ring,

    /// <summary>A plus sign.</summary>
    Plus,

    /// <summary>An × sign.</summary>
    Cross,
}

/// <summary>
/// How the i-th series of a figure looks: a colour, a dash pattern and a marker. The colours (after Okabe &amp;
/// Ito's colour-blind-safe set, with black) differ in hue for the screen, and the dashes and markers differ too,
/// so every series stays distinguishable when a figure is printed in grayscale.
/// </summary>
/// <param name="Colour">Stroke and fill colour.</param>
/// <param name="Dash">The <c>stroke-dasharray</c>, or null for a solid line.</param>
/// <param name="Marker">The point marker.</param>
public sealed record SeriesStyle(string Colour, string? Dash, MarkerShape Marker)
{
    private static readonly string[] Colours = ["#0072b2", "#d55e00", "#009e73", "#000000", "#cc79a7", "#e69f00", "#56b4e9", "#7f6d00"];
    private static readonly string?[] Dashes = [null, "7 3", "2 2", "9 3 2 3", null, "4 2", "12 3", "2 4"];

    /// <summary>The style of series <paramref name="index"/> (cycling after eight).</summary>
    public static SeriesStyle Of(int index)
    {
        int i = ((index % Colours.Length) + Colours.Length) % Colours.Length;
        return new SeriesStyle(Colours[i], Dashes[i], (MarkerShape)(i % 8));
    }

    /// <summary>The <c>stroke-dasharray</c> attribute (with a leading space), or empty.</summary>
    public string DashAttribute => Dash is null ? "" : $" stroke-dasharray=\"{Dash}\"";

    /// <summary>Draws the marker centred at (<paramref name="x"/>, <paramref name="y"/>) with radius
    /// <paramref name="r"/>; <paramref name="extra"/> adds attributes (e.g. a clip path).</summary>
    public void DrawMarker(Svg svg, double x, double y, double r = 3, string? extra = null)
    {
        string c = Colour, e = "class=\"marker\"" + (extra is null ? "" : " " + extra);
        string N(double v) => Svg.N(v);
        switch (Marker)
        {
            case MarkerShape.Circle: svg.Circle(x, y, r, c, extra: e); break;
            case MarkerShape.Ring: svg.Raw($"<circle cx=\"{N(x)}\" cy=\"{N(y)}\" r=\"{N(r)}\" fill=\"white\" stroke=\"{c}\" stroke-width=\"1.5\" {e}/>"); break;
            case MarkerShape.Square: svg.Rect(x - r * 0.9, y - r * 0.9, r * 1.8, r * 1.8, c, extra: e); break;
            case MarkerShape.Triangle: svg.Path($"M{N(x)} {N(y - r * 1.2)}L{N(x + r * 1.1)} {N(y + r * 0.8)}L{N(x - r * 1.1)} {N(y + r * 0.8)}Z", "none", 0, c, e); break;
            case MarkerShape.TriangleDown: svg.Path($"M{N(x)} {N(y + r * 1.2)}L{N(x + r * 1.1)} {N(y - r * 0.8)}L{N(x - r * 1.1)} {N(y - r * 0.8)}Z", "none", 0, c, e); break;
            case MarkerShape.Diamond: svg.Path($"M{N(x)} {N(y - r * 1.3)}L{N(x + r)} {N(y)}L{N(x)} {N(y + r * 1.3)}L{N(x - r)} {N(y)}Z", "none", 0, c, e); break;
            case MarkerShape.Plus: svg.Path($"M{N(x - r * 1.2)} {N(y)}H{N(x + r * 1.2)}M{N(x)} {N(y - r * 1.2)}V{N(y + r * 1.2)}", c, 1.8, extra: e); break;
            default: svg.Path($"M{N(x - r)} {N(y - r)}L{N(x + r)} {N(y + r)}M{N(x - r)} {N(y + r)}L{N(x + r)} {N(y - r)}", c, 1.8, extra: e); break;
        }
    }
}
