using System.Globalization;
using Descent.Optim;

namespace Descent.Training.Compare;

/// <summary>
/// The learning rates a comparison tries for each optimizer before choosing one on the validation split (the
/// DeepOBS protocol: a grid search on a log scale, scored on validation, with a budget the user sets). Written
/// as text:
/// <list type="bullet">
/// <item><c>auto</c> or <c>auto:N</c> — N rates (default 3) one decade apart, centred on each optimizer's default
/// rate (Adam: 1e-4, 1e-3, 1e-2);</item>
/// <item><c>LO:HI:N</c> — N rates evenly spaced in log(lr) from LO to HI, the same for every optimizer;</item>
/// <item><c>A,B,C</c> — these rates for every optimizer;</item>
/// <item><c>none</c> — no search: each optimizer runs at its default (or given) rate.</item>
/// </list>
/// </summary>
public sealed record LearningRateGrid
{
    private LearningRateGrid(string text, int autoPoints, IReadOnlyList<double>? fixedRates)
    {
        Text = text;
        AutoPoints = autoPoints;
        FixedRates = fixedRates;
    }

    /// <summary>The grid as written (canonical form).</summary>
    public string Text { get; }

    /// <summary>Points of an <c>auto</c> grid (0 for other forms).</summary>
    public int AutoPoints { get; }

    /// <summary>The rates of a list or <c>LO:HI:N</c> grid, or null.</summary>
    public IReadOnlyList<double>? FixedRates { get; }

    /// <summary>True for <c>none</c>: no search.</summary>
    public bool IsNone => AutoPoints == 0 && FixedRates is null;

    /// <summary>The default grid: three rates a decade apart around each optimizer's default.</summary>
    public static LearningRateGrid Default { get; } = new("auto:3", 3, null);

    /// <summary>No search.</summary>
    public static LearningRateGrid None { get; } = new("none", 0, null);

    /// <summary>The syntax, for help texts.</summary>
    public const string Syntax = "auto[:N] (N rates a decade apart around each optimizer's default; default auto:3), LO:HI:N (log-spaced), A,B,C (a list) or none";

    /// <summary>Reads a grid.</summary>
    /// <exception cref="ConfigurationException">Malformed text, or a rate that is not a positive number.</exception>
    public static LearningRateGrid Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim().ToLowerInvariant();
        if (t is "none" or "off" or "false") return None;
        if (t == "auto") return Default;
        if (t.StartsWith("auto:", StringComparison.Ordinal))
        {
            if (!int.TryParse(t[5..], NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) || n < 1 || n > 25)
                throw new ConfigurationException($"--tune '{text}': auto:N needs a number of rates N from 1 to 25, e.g. auto:5.");
            return new LearningRateGrid($"auto:{n}", n, null);
        }
        var colon = t.Split(':');
        if (colon.Length == 3)
        {
            double lo = Rate(colon[0], text), hi = Rate(colon[1], text);
            if (!int.TryParse(colon[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) || n < 1 || n > 100)
                throw new ConfigurationException($"--tune '{text}': LO:HI:N needs a number of rates N from 1 to 100, e.g. 1e-4:1e-1:7.");
            if (hi < lo) (lo, hi) = (hi, lo);
            var rates = Enumerable.Range(0, n).Select(i => n == 1 ? lo : Math.Pow(10, Math.Log10(lo) + (Math.Log10(hi) - Math.Log10(lo)) * i / (n - 1)))
                .Select(Round).ToArray();
            return new LearningRateGrid($"{Format(lo)}:{Format(hi)}:{n}", 0, rates);
        }
        if (colon.Length != 1)
            throw new ConfigurationException($"--tune '{text}' is not a grid; use {Syntax}.");
        var list = t.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(v => Rate(v, text)).Distinct().Order().ToArray();
        if (list.Length == 0) throw new ConfigurationException($"--tune '{text}' names no rate; use {Syntax}.");
        return new LearningRateGrid(string.Join(",", list.Select(Format)), 0, list);
    }

    /// <summary>The rates to try for <paramref name="optimizer"/>, in increasing order (empty for <c>none</c>).</summary>
    /// <exception cref="ConfigurationException">The optimizer has no learning rate.</exception>
    public IReadOnlyList<double> RatesFor(string optimizer)
    {
        if (IsNone) return [];
        if (FixedRates is not null) return FixedRates;
        double center = DefaultRate(optimizer);
        return Enumerable.Range(0, AutoPoints).Select(i => Round(center * Math.Pow(10, i - (AutoPoints - 1) / 2.0))).ToArray();
    }

    /// <summary>The default learning rate of <paramref name="optimizer"/> (its <c>lr</c> key's default).</summary>
    /// <exception cref="ConfigurationException">Unknown optimizer, or one without an <c>lr</c> key.</exception>
    public static double DefaultRate(string optimizer)
    {
        var key = OptimizerFactory.Describe(optimizer).Keys.FirstOrDefault(k => k.Key == "lr")
            ?? throw new ConfigurationException($"{optimizer} has no learning rate (lr) to search; use --tune none, or leave it out of --optimizers.");
        return double.Parse(key.Default, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    /// <summary>A rate as short text: <c>0.001</c>, <c>0.0316</c>, <c>1e-05</c>.</summary>
    public static string Format(double rate) => rate.ToString("G4", CultureInfo.InvariantCulture);

    /// <summary>Four significant digits (so grids print and compare cleanly).</summary>
    private static double Round(double x) => double.Parse(Format(x), NumberStyles.Float, CultureInfo.InvariantCulture);

    private static double Rate(string s, string text)
    {
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !(v > 0) || double.IsInfinity(v))
            throw new ConfigurationException($"--tune '{text}': '{s}' is not a positive learning rate; use {Syntax}.");
        return v;
    }
}
