using System.Globalization;
using Descent.Training.Compare;

namespace Descent.Cli.Reports;

/// <summary>The results of a comparison as text cells, for the terminal and the report alike.</summary>
public static class ResultsTable
{
    /// <summary>The column headers.</summary>
    public static IReadOnlyList<string> Headers(ComparisonResult r)
    {
        string val = r.ValidationMetricName == "val_accuracy" ? "best val acc" : "best val loss";
        string test = r.Classification ? "test acc" : "test loss";
        var h = new List<string> { "optimizer", "lr", "final train loss", val, test, "s/epoch" };
        if (r.Spec.Target is { } t) { h.Add($"steps to {Short(t)}"); h.Add($"time to {Short(t)}"); }
        return h;
    }

    /// <summary>One row per optimizer; the best one's name carries a star.</summary>
    public static IEnumerable<IReadOnlyList<string>> Rows(ComparisonResult r)
    {
        foreach (var o in r.Optimizers)
        {
            var row = new List<string>
            {
                o.Optimizer + (o.Optimizer == r.Best ? " ★" : ""),
                o.LearningRate is double lr ? LearningRateGrid.Format(lr) + (o.Searched ? "" : " (fixed)") : "diverged",
                PlusMinus(o.FinalTrainLoss), PlusMinus(o.BestValidation), PlusMinus(o.Test), F(o.SecondsPerEpoch.Mean, "F2"),
            };
            if (r.Spec.Target is not null)
            {
                string part = o.StepsToTarget.Count < o.Runs.Count && o.StepsToTarget.Count > 0 ? $" ({o.StepsToTarget.Count}/{o.Runs.Count})" : "";
                row.Add(o.StepsToTarget.Count == 0 ? "—" : F(o.StepsToTarget.Mean, "F0") + part);
                row.Add(o.SecondsToTarget.Count == 0 ? "—" : F(o.SecondsToTarget.Mean, "F1") + " s" + part);
            }
            yield return row;
        }
    }

    /// <summary>The index of the best row, or null.</summary>
    public static int? BestRow(ComparisonResult r)
    {
        for (int i = 0; i < r.Optimizers.Count; i++) if (r.Optimizers[i].Optimizer == r.Best) return i;
        return null;
    }

    /// <summary>One sentence naming the best optimizer.</summary>
    public static string BestLine(ComparisonResult r)
    {
        var best = r.Optimizers.FirstOrDefault(o => o.Optimizer == r.Best);
        if (best is null) return "best: none (every run diverged)";
        string metric = r.Classification ? "test accuracy" : "test loss";
        string seeds = best.Runs.Count == 1 ? "1 seed" : $"{best.Runs.Count} seeds";
        return $"best: {best.Optimizer} (lr {LearningRateGrid.Format(best.LearningRate ?? double.NaN)}) with {metric} {PlusMinus(best.Test)} over {seeds}";
    }

    /// <summary><c>mean ± sd</c> with four decimals (the mean alone for one value; a dash for none).</summary>
    public static string PlusMinus(Stat s)
    {
        if (s.Count == 0) return s.Total == 0 ? "—" : "diverged";
        string text = double.IsNaN(s.Sd) ? F(s.Mean, "F4") : $"{F(s.Mean, "F4")} ± {F(s.Sd, "F4")}";
        return s.Count < s.Total ? $"{text} ({s.Total - s.Count} diverged)" : text;
    }

    private static string Short(Target t) => t.Metric switch
    {
        "test_accuracy" => $"test acc {F(t.Value, "G4")}",
        "val_accuracy" => $"val acc {F(t.Value, "G4")}",
        _ => $"{t.Metric.Replace('_', ' ')} {F(t.Value, "G4")}",
    };

    private static string F(double x, string format) => double.IsNaN(x) ? "—" : x.ToString(format, CultureInfo.InvariantCulture);
}
