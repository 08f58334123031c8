namespace Descent.Cli.Plots;

/// <summary>"Nice" axis ticks: multiples of 1, 2 or 5 × 10ᵏ covering a range (Heckbert, "Nice numbers for
/// graph labels", Graphics Gems 1990).</summary>
public static class Ticks
{
    /// <summary>About <paramref name="count"/> nice tick values inside [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static double[] Nice(double min, double max, int count = 6)
    {
        if (!(max > min) || !double.IsFinite(min) || !double.IsFinite(max)) return [min];
        double step = NiceNumber((max - min) / Math.Max(1, count - 1));
        double first = Math.Ceiling(min / step - 1e-9) * step;
        var ticks = new List<double>();
        for (double t = first; t <= max + step * 1e-9; t += step)
            ticks.Add(Math.Abs(t) < step * 1e-9 ? 0 : t);
        return [.. ticks];
    }

    /// <summary>The nice number (1, 2, 5 or 10 × 10ᵏ) closest to <paramref name="x"/>.</summary>
    public static double NiceNumber(double x)
    {
        double exp = Math.Floor(Math.Log10(x));
        double f = x / Math.Pow(10, exp);
        double nice = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
        return nice * Math.Pow(10, exp);
    }

    /// <summary>A tick label: short, without trailing zeros.</summary>
    public static string Label(double x) => x.ToString("G4", System.Globalization.CultureInfo.InvariantCulture);
}
