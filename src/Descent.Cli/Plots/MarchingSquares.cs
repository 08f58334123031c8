namespace Descent.Cli.Plots;

/// <summary>
/// Contour lines of a function sampled on a regular grid, by marching squares: each grid cell is
/// classified by which of its four corners lie above the level, and the level crosses the cell's edges at
/// linearly interpolated points. The two ambiguous (saddle) cases are resolved by the cell's mean value.
/// </summary>
public static class MarchingSquares
{
    /// <summary>The segments of the level set {f = <paramref name="level"/>} in grid coordinates
    /// (column, row), from values <paramref name="z"/>[row, column].</summary>
    public static List<((double X, double Y) A, (double X, double Y) B)> Segments(double[,] z, double level)
    {
        int rows = z.GetLength(0), cols = z.GetLength(1);
        var segments = new List<((double, double), (double, double))>();
        for (int r = 0; r + 1 < rows; r++)
            for (int c = 0; c + 1 < cols; c++)
            {
                // Corners counter-clockwise from (c, r): v0 (c, r), v1 (c+1, r), v2 (c+1, r+1), v3 (c, r+1).
                double v0 = z[r, c], v1 = z[r, c + 1], v2 = z[r + 1, c + 1], v3 = z[r + 1, c];
                if (!double.IsFinite(v0) || !double.IsFinite(v1) || !double.IsFinite(v2) || !double.IsFinite(v3)) continue;
                int index = (v0 > level ? 1 : 0) | (v1 > level ? 2 : 0) | (v2 > level ? 4 : 0) | (v3 > level ? 8 : 0);
                if (index is 0 or 15) continue;
                (double, double) Bottom() => (c + Frac(v0, v1, level), r);
                (double, double) Right() => (c + 1, r + Frac(v1, v2, level));
                (double, double) Top() => (c + Frac(v3, v2, level), r + 1);
                (double, double) Left() => (c, r + Frac(v0, v3, level));
                bool centerAbove = (v0 + v1 + v2 + v3) / 4 > level;
                switch (index)
                {
                    case 1 or 14: segments.Add((Left(), Bottom())); break;
                    case 2 or 13: segments.Add((Bottom(), Right())); break;
                    case 3 or 12: segments.Add((Left(), Right())); break;
                    case 4 or 11: segments.Add((Right(), Top())); break;
                    case 6 or 9: segments.Add((Bottom(), Top())); break;
                    case 7 or 8: segments.Add((Left(), Top())); break;
                    case 5:
                        if (centerAbove) { segments.Add((Left(), Top())); segments.Add((Bottom(), Right())); }
                        else { segments.Add((Left(), Bottom())); segments.Add((Right(), Top())); }
                        break;
                    case 10:
                        if (centerAbove) { segments.Add((Left(), Bottom())); segments.Add((Right(), Top())); }
                        else { segments.Add((Left(), Top())); segments.Add((Bottom(), Right())); }
                        break;
                }
            }
        return segments;
    }

    /// <summary>Where between a (at 0) and b (at 1) the linear interpolant crosses the level.</summary>
    private static double Frac(double a, double b, double level) => a == b ? 0.5 : Math.Clamp((level - a) / (b - a), 0, 1);
}
