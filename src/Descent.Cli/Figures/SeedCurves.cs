using Descent.Cli.Plots;
using Descent.Training;
using Descent.Training.Compare;

namespace Descent.Cli.Figures;

/// <summary>
/// Curves over seeds: for each epoch reached by every run, the mean of a metric and its range (min–max) over the
/// runs, against the epoch or against the mean wall-clock time.
/// </summary>
public static class SeedCurves
{
    /// <summary>The series of <paramref name="runs"/> under <paramref name="label"/>: mean line and min–max band
    /// of <paramref name="metric"/>, at x = <paramref name="x"/> (the epoch, or the mean seconds).</summary>
    public static Series Of(string label, IReadOnlyList<RunRecord> runs, Func<EpochMetrics, double> metric, bool againstSeconds = false)
    {
        var finished = runs.Where(r => r.History.Count > 0).ToList();
        int epochs = finished.Count == 0 ? 0 : finished.Min(r => r.History.Count);
        var points = new List<(double, double)>();
        var band = new List<(double, double, double)>();
        for (int e = 0; e < epochs; e++)
        {
            var values = finished.Select(r => metric(r.History[e])).ToList();
            double x = againstSeconds ? finished.Average(r => r.History[e].Seconds) : finished[0].History[e].Epoch;
            var ok = values.Where(double.IsFinite).ToList();
            double mean = ok.Count == values.Count && ok.Count > 0 ? ok.Average() : double.NaN;
            points.Add((x, mean));
            band.Add((x, ok.Count == values.Count && ok.Count > 0 ? ok.Min() : double.NaN, ok.Count == values.Count && ok.Count > 0 ? ok.Max() : double.NaN));
        }
        return new Series(label, points) { Band = finished.Count > 1 ? band : null };
    }
}
