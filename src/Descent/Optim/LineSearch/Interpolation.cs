namespace Descent.Optim.LineSearch;

/// <summary>
/// Minimizers of the interpolating polynomials line searches use to choose trial steps (Nocedal &amp; Wright,
/// Numerical Optimization, 2nd ed., §3.5): a quadratic through two values and one slope, a cubic through two
/// values and two slopes (eq. 3.59), and a cubic through three values and one slope (eq. 3.58). Each returns
/// NaN when the polynomial has no finite minimizer, so callers fall back to the next rule or to bisection.
/// </summary>
internal static class Interpolation
{
    /// <summary>Minimizer of the quadratic with q(a) = fa, q'(a) = da, q(b) = fb.</summary>
    public static double Quadratic(double a, double fa, double da, double b, double fb)
    {
        double d = b - a;
        double c = (fb - fa - da * d) / (d * d);
        if (!(c > 0) || !double.IsFinite(c)) return double.NaN;
        return a - da / (2 * c);
    }

    /// <summary>Minimizer of the cubic with the values and slopes at a and b (N&amp;W eq. 3.59).</summary>
    public static double Cubic(double a, double fa, double da, double b, double fb, double db)
    {
        double d1 = da + db - 3 * (fa - fb) / (a - b);
        double disc = d1 * d1 - da * db;
        if (!(disc >= 0) || !double.IsFinite(disc)) return double.NaN;
        double d2 = Math.Sign(b - a) * Math.Sqrt(disc);
        double denom = db - da + 2 * d2;
        if (denom == 0) return double.NaN;
        double x = b - (b - a) * (db + d2 - d1) / denom;
        return double.IsFinite(x) ? x : double.NaN;
    }

    /// <summary>Minimizer of the cubic with c(0) = f0, c'(0) = d0, c(a) = fa, c(b) = fb (N&amp;W eq. 3.58,
    /// with the origin at 0; used by backtracking once two trial steps failed).</summary>
    public static double CubicThroughTwo(double f0, double d0, double a, double fa, double b, double fb)
    {
        double ea = fa - f0 - d0 * a, eb = fb - f0 - d0 * b;
        double denom = a * a * b * b * (a - b);
        if (denom == 0) return double.NaN;
        double c3 = (b * b * ea - a * a * eb) / denom;
        double c2 = (-b * b * b * ea + a * a * a * eb) / denom;
        if (c3 == 0) return c2 > 0 ? -d0 / (2 * c2) : double.NaN;
        double disc = c2 * c2 - 3 * c3 * d0;
        if (!(disc >= 0)) return double.NaN;
        double x = (-c2 + Math.Sqrt(disc)) / (3 * c3);
        return double.IsFinite(x) ? x : double.NaN;
    }

    /// <summary>True if <paramref name="x"/> lies in [lo + margin·|hi − lo|, hi − margin·|hi − lo|] (either order).</summary>
    public static bool Inside(double x, double a, double b, double margin)
    {
        double lo = Math.Min(a, b), hi = Math.Max(a, b), d = hi - lo;
        return double.IsFinite(x) && x >= lo + margin * d && x <= hi - margin * d;
    }
}
