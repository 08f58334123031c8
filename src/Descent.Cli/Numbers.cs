using System.Globalization;

namespace Descent.Cli;

/// <summary>Number formatting for console output (invariant culture).</summary>
public static class Numbers
{
    /// <summary>Six decimals for ordinary magnitudes (<c>0.060466</c>), six significant digits otherwise
    /// (<c>1.23457e-08</c>).</summary>
    public static string Short(double x)
    {
        double a = Math.Abs(x);
        if (double.IsFinite(x) && (a == 0 || (a >= 1e-4 && a < 1e7))) return x.ToString("F6", CultureInfo.InvariantCulture);
        return x.ToString("G6", CultureInfo.InvariantCulture);
    }

    /// <summary>A vector as <c>[a, b, …]</c> with <see cref="Short"/>.</summary>
    public static string Vector(IEnumerable<double> x) => "[" + string.Join(", ", x.Select(Short)) + "]";

    /// <summary>Round-trip form for files.</summary>
    public static string Exact(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}
