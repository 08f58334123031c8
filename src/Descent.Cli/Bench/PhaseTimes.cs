namespace Descent.Cli.Bench;

/// <summary>Seconds per training step, in total and by phase: gathering the batch, the forward pass with the
/// loss, the backward pass, and the optimizer's update.</summary>
/// <param name="Step">The whole step.</param>
/// <param name="Forward">Forward pass and loss.</param>
/// <param name="Backward">Backward pass (gradients into the flat gradient buffer).</param>
/// <param name="Optimizer">The optimizer's update.</param>
/// <param name="Data">Gathering the mini-batch.</param>
internal readonly record struct PhaseTimes(double Step, double Forward, double Backward, double Optimizer, double Data)
{
    /// <summary>The sum of <paramref name="a"/> and <paramref name="b"/>, phase by phase.</summary>
    public static PhaseTimes operator +(PhaseTimes a, PhaseTimes b) =>
        new(a.Step + b.Step, a.Forward + b.Forward, a.Backward + b.Backward, a.Optimizer + b.Optimizer, a.Data + b.Data);

    /// <summary><paramref name="a"/> with every phase divided by <paramref name="d"/>.</summary>
    public static PhaseTimes operator /(PhaseTimes a, double d) =>
        new(a.Step / d, a.Forward / d, a.Backward / d, a.Optimizer / d, a.Data / d);

    /// <summary>The phase-by-phase median of <paramref name="windows"/> (each phase on its own).</summary>
    public static PhaseTimes Median(IReadOnlyList<PhaseTimes> windows) => new(
        Stats.Median(windows.Select(w => w.Step)), Stats.Median(windows.Select(w => w.Forward)),
        Stats.Median(windows.Select(w => w.Backward)), Stats.Median(windows.Select(w => w.Optimizer)),
        Stats.Median(windows.Select(w => w.Data)));
}

/// <summary>Order statistics for timings.</summary>
internal static class Stats
{
    /// <summary>The median (the mean of the middle two for an even count; NaN for none).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var v = values.ToArray();
        if (v.Length == 0) return double.NaN;
        Array.Sort(v);
        int n = v.Length;
        return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
    }
}
