using System.Globalization;
using Descent.Nn.Init;

namespace Descent.Cli.Commands;

/// <summary>The console tables of <c>descent init</c>: one per scheme (a row per layer) and a summary.</summary>
public static class InitTables
{
    /// <summary>Three significant digits (<c>0.662</c>, <c>1.23e+08</c>); <c>0</c> for zero.</summary>
    public static string G(double x)
    {
        if (double.IsNaN(x)) return "nan";
        if (double.IsInfinity(x)) return x > 0 ? "inf" : "-inf";
        double a = Math.Abs(x);
        if (a == 0) return "0";
        if (a >= 1e-3 && a < 1e3) return x.ToString("G3", CultureInfo.InvariantCulture);
        return x.ToString("0.00e+0", CultureInfo.InvariantCulture);
    }

    private static string P(double f) => (100 * f).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    /// <summary>The per-layer table of one scheme, the ratios and the verdict.</summary>
    public static void WriteLayers(TextWriter o, string given, SignalReport r)
    {
        string canonical = r.Scheme == given ? "" : $" (= {r.Scheme})";
        o.WriteLine($"scheme {given}{canonical}");
        string[] head = ["layer", "distinct", "mean(z)", "Var(z)", "mean(h)", "Var(h)", "saturated", "dead", "Var(∂L/∂h)", "Var(∂L/∂z)", "Var(∂L/∂W)"];
        int[] widths = [5, 9, 10, 10, 10, 10, 9, 7, 11, 11, 11];
        Row(o, head, widths);
        foreach (var l in r.Layers)
            Row(o, [l.Index.ToString(CultureInfo.InvariantCulture), $"{l.DistinctUnits}/{l.Units}", G(l.PreActivation.Mean), G(l.PreActivation.Variance),
                G(l.Activation.Mean), G(l.Activation.Variance), P(l.Saturated), P(l.Dead),
                G(l.ActivationGradient.Variance), G(l.PreActivationGradient.Variance), G(l.WeightGradient.Variance)], widths);
        int d = r.Layers.Count;
        o.WriteLine($"Var(h{d})/Var(h1) = {G(r.ActivationRatio)}   Var(∂L/∂h1)/Var(∂L/∂h{d}) = {G(r.GradientRatio)}   Var(∂L/∂W1)/Var(∂L/∂W{d}) = {G(r.WeightGradientRatio)}");
        if (r.Lsuv is { } lsuv)
        {
            int converged = lsuv.Count(x => x.Converged);
            o.WriteLine($"LSUV: {converged} of {lsuv.Count} layers reached |Var(z) − 1| < 0.1 on their own batch after " +
                        $"{lsuv.Average(x => x.Iterations).ToString("0.#", CultureInfo.InvariantCulture)} rescalings on average " +
                        $"(first layer: Var(z) {G(lsuv[0].InitialVariance)} → {G(lsuv[0].Variance)})");
        }
        o.WriteLine("verdict: " + r.Verdict);
    }

    /// <summary>One row per scheme: the end-to-end ratios and the worst units, then each verdict.</summary>
    public static void WriteSummary(TextWriter o, IReadOnlyList<(string Given, SignalReport Report)> reports)
    {
        var first = reports[0].Report;
        int d = first.Layers.Count;
        o.WriteLine($"summary: {first.Options.Activation}, {d} layers of width {first.Options.Width} (ratios: last/first layer in the direction the signal flows)");
        int nameWidth = Math.Max(6, reports.Max(x => x.Given.Length));
        string[] head = ["scheme", "Var(h1)", $"Var(h{d})", "act ×", "grad ×", "∂W ×", "saturated", "dead", "distinct"];
        int[] widths = [-nameWidth, 10, 10, 10, 10, 10, 9, 7, 9];
        Row(o, head, widths);
        foreach (var (given, r) in reports)
            Row(o, [given, G(r.Layers[0].Activation.Variance), G(r.Layers[^1].Activation.Variance), G(r.ActivationRatio), G(r.GradientRatio),
                G(r.WeightGradientRatio), P(r.MaxSaturated), P(r.MaxDead), $"{r.MinDistinctUnits}/{r.Options.Width}"], widths);
        foreach (var (given, r) in reports) o.WriteLine($"{given.PadRight(nameWidth)}  {r.Verdict}");
    }

    /// <summary>Cells right-aligned to their widths (a negative width left-aligns), two spaces apart.</summary>
    private static void Row(TextWriter o, string[] cells, int[] widths)
    {
        var parts = cells.Select((c, i) => widths[i] < 0 ? c.PadRight(-widths[i]) : c.PadLeft(widths[i]));
        o.WriteLine(string.Join("  ", parts).TrimEnd());
    }
}
