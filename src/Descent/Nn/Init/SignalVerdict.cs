using System.Globalization;
using System.Text;

namespace Descent.Nn.Init;

/// <summary>
/// Turns a <see cref="SignalReport"/> into words: how the variance of the activations and of the
/// back-propagated gradients changes across the layers (a change beyond 2× is reported), saturated or dead
/// units, identical units (broken symmetry never returns) and all-zero gradients.
/// </summary>
public static class SignalVerdict
{
    /// <summary>A change of variance across the layers beyond this factor is a finding.</summary>
    public const double Tolerance = 2;

    /// <summary>A saturated fraction above this is a finding (for tanh-like activations).</summary>
    public const double SaturationLimit = 0.1;

    /// <summary>The findings: first how the signals change with depth, then what is wrong with the units.</summary>
    public static IReadOnlyList<string> Findings(SignalReport report)
    {
        var (signals, units) = Parts(report);
        return [.. signals, .. units];
    }

    /// <summary>One line: the signal changes joined by ", ", then ": " and the unit problems; or "healthy: …".</summary>
    public static string Describe(SignalReport report)
    {
        var (signals, units) = Parts(report);
        if (signals.Count == 0 && units.Count == 0)
            return $"healthy: activations (×{Number(report.ActivationRatio)}) and gradients (×{Number(report.GradientRatio)}) " +
                   $"keep their variance within {Tolerance}× over {report.Layers.Count} layers";
        var sb = new StringBuilder(string.Join(", ", signals));
        if (units.Count > 0) sb.Append(signals.Count > 0 ? ": " : "").Append(string.Join("; ", units));
        return sb.ToString();
    }

    private static (List<string> Signals, List<string> Units) Parts(SignalReport r)
    {
        var signals = new List<string>();
        var units = new List<string>();
        var layers = r.Layers;
        int depth = layers.Count, width = layers[0].Units;
        string top = $"layer {depth}";

        if (layers.Any(l => !double.IsFinite(l.Activation.Variance) || !double.IsFinite(l.ActivationGradient.Variance)))
            signals.Add($"the signal overflows (non-finite from layer {layers.First(l => !double.IsFinite(l.Activation.Variance) || !double.IsFinite(l.ActivationGradient.Variance)).Index}; try --dtype float64 or a smaller scale)");
        else
        {
            if (layers.All(l => l.Activation.Variance == 0)) signals.Add("activations have variance 0 in every layer");
            else if (depth > 1) Change(signals, "activations", r.ActivationRatio, "shrink", "grow", $"from layer 1 to {top}");
            if (layers.All(l => l.ActivationGradient.Variance == 0)) { }
            else if (layers[0].ActivationGradient.Variance == 0) signals.Add($"gradients vanish completely (0 at layer 1, from {top} down)");
            else if (depth > 1) Change(signals, "gradients", r.GradientRatio, "vanish", "explode", $"from {top} back to layer 1");
        }

        if (r.MinDistinctUnits < width)
        {
            if (layers.All(l => l.DistinctUnits == 1))
                units.Add($"every layer has 1 distinct unit of {width}: equal units get equal gradients and stay equal (symmetry never breaks)");
            else
                units.Add(string.Join(", ", layers.Where(l => l.DistinctUnits < l.Units).Take(3).Select(l => $"layer {l.Index}: {l.DistinctUnits} distinct units of {l.Units}")) +
                          " (equal units stay equal)");
        }
        if (r.WeightGradientsAllZero)
            units.Add("every weight gradient is exactly 0: gradient descent cannot leave this point");

        bool rectifier = Activations.Parse(r.Options.Activation) == Activation.Relu;
        if (!rectifier && r.MaxSaturated > SaturationLimit)
        {
            var worst = layers.MaxBy(l => l.Saturated)!;
            units.Add(layers.All(l => l.Saturated == worst.Saturated)
                ? $"{Percent(worst.Saturated)} of units saturated in every layer"
                : $"{Percent(layers.Average(l => l.Saturated))} of units saturated on average (up to {Percent(worst.Saturated)} in layer {worst.Index})");
        }
        if (r.MaxDead > 0)
        {
            var worst = layers.MaxBy(l => l.Dead)!;
            string what = rectifier ? "dead (never active on the batch)" : "stuck in saturation on every example";
            units.Add($"{Percent(worst.Dead)} of units {what} in " + (layers.All(l => l.Dead == worst.Dead) ? "every layer" : $"layer {worst.Index}"));
        }
        return (signals, units);
    }

    private static void Change(List<string> into, string what, double ratio, string down, string up, string where)
    {
        if (ratio < 1 / Tolerance) into.Add($"{what} {down} by {Factor(1 / ratio)} {where}");
        else if (ratio > Tolerance) into.Add($"{what} {up} by {Factor(ratio)} {where}");
    }

    /// <summary>A factor such as <c>8.1×</c>, <c>81×</c> or <c>3.1×10⁸×</c> (two significant digits).</summary>
    public static string Factor(double x)
    {
        if (double.IsPositiveInfinity(x)) return "∞×";
        if (!double.IsFinite(x)) return "?×";
        if (x < 1000) return Number(x) + "×";
        int exp = (int)Math.Floor(Math.Log10(x));
        double mantissa = Math.Round(x / Math.Pow(10, exp), 1);
        if (mantissa >= 10) { mantissa /= 10; exp++; }
        return mantissa.ToString("0.#", CultureInfo.InvariantCulture) + "×10" + Superscript(exp) + "×";
    }

    /// <summary>Two significant digits (<c>0.84</c>, <c>8.1</c>, <c>81</c>), or scientific for tiny and huge values.</summary>
    public static string Number(double x)
    {
        if (!double.IsFinite(x)) return x.ToString(CultureInfo.InvariantCulture);
        double a = Math.Abs(x);
        if (a != 0 && (a < 0.001 || a >= 1e5)) return x.ToString("0.0e+0", CultureInfo.InvariantCulture);
        if (a >= 10) return Math.Round(x).ToString("0", CultureInfo.InvariantCulture);
        return x.ToString("G2", CultureInfo.InvariantCulture);
    }

    private static string Percent(double f) => (100 * f).ToString(f < 0.01 && f > 0 ? "0.0" : "0", CultureInfo.InvariantCulture) + "%";

    private static string Superscript(int n)
    {
        const string digits = "⁰¹²³⁴⁵⁶⁷⁸⁹";
        var s = n.ToString(CultureInfo.InvariantCulture);
        var sb = new StringBuilder();
        foreach (char c in s) sb.Append(c == '-' ? '⁻' : digits[c - '0']);
        return sb.ToString();
    }
}
