namespace Descent.Training;

/// <summary>The runs of <see cref="Restarts.Run"/>: every seed's result and the best one.</summary>
/// <param name="Runs">Each seed with its result, in the order run.</param>
/// <param name="BestSeed">The seed of the best run.</param>
/// <param name="Best">The best run's result.</param>
public sealed record RestartsResult(IReadOnlyList<(ulong Seed, TrainingResult Result)> Runs, ulong BestSeed, TrainingResult Best);

/// <summary>
/// Random restarts: the same training from several seeds (initialization, data order, dropout), keeping
/// the run with the best validation metric — a cheap guard against a bad initialization on a non-convex
/// problem. Runs that found no finite validation value (halted or diverged) never win unless all did.
/// </summary>
public static class Restarts
{
    /// <summary>Runs <paramref name="makeRun"/> for each seed and returns all results and the best by
    /// <paramref name="monitor"/> (default: each result's own monitor).</summary>
    /// <exception cref="ArgumentException">No seeds.</exception>
    public static RestartsResult Run(IEnumerable<ulong> seeds, Func<ulong, TrainingResult> makeRun, ValidationMetric? monitor = null)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentNullException.ThrowIfNull(makeRun);
        var runs = new List<(ulong, TrainingResult)>();
        int bestIndex = -1;
        double? bestValue = null;
        foreach (ulong seed in seeds)
        {
            var r = makeRun(seed);
            runs.Add((seed, r));
            var m = monitor ?? r.Monitor;
            double v = r.Best is { } b ? m.Read(b) : double.NaN;
            if (bestIndex < 0 || m.IsBetter(v, bestValue)) { bestIndex = runs.Count - 1; bestValue = double.IsNaN(v) ? null : v; }
        }
        if (bestIndex < 0) throw new ArgumentException("Restarts need at least one seed.", nameof(seeds));
        return new RestartsResult(runs, runs[bestIndex].Item1, runs[bestIndex].Item2);
    }
}
