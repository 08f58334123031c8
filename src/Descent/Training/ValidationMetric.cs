namespace Descent.Training;

/// <summary>
/// The validation metric that decides "better" for early stopping, best-weight restoring, reduce-on-plateau
/// and restarts: <c>val_loss</c> (lower is better) or <c>val_accuracy</c> (higher is better).
/// </summary>
public sealed record ValidationMetric
{
    private ValidationMetric(string name, bool maximize, Func<EpochMetrics, double> read)
    {
        Name = name;
        Maximize = maximize;
        Read = read;
    }

    /// <summary>The metric's name as in <c>metrics.csv</c>.</summary>
    public string Name { get; }

    /// <summary>True if larger is better.</summary>
    public bool Maximize { get; }

    /// <summary>Reads the metric from an epoch's row.</summary>
    public Func<EpochMetrics, double> Read { get; }

    /// <summary>The validation loss (minimized); the default.</summary>
    public static ValidationMetric ValLoss { get; } = new("val_loss", false, m => m.ValLoss);

    /// <summary>The validation accuracy (maximized); classification only.</summary>
    public static ValidationMetric ValAccuracy { get; } = new("val_accuracy", true, m => m.ValAccuracy);

    /// <summary>The monitor called <paramref name="name"/>.</summary>
    /// <exception cref="ConfigurationException">Not <c>val_loss</c> or <c>val_accuracy</c>.</exception>
    public static ValidationMetric Parse(string name) => name.Trim().ToLowerInvariant().Replace('-', '_') switch
    {
        "val_loss" or "loss" => ValLoss,
        "val_accuracy" or "val_acc" or "accuracy" => ValAccuracy,
        _ => throw new ConfigurationException($"Unknown monitored metric '{name}'; use val_loss or val_accuracy."),
    };

    /// <summary>True if <paramref name="candidate"/> beats <paramref name="best"/> by more than
    /// <paramref name="minDelta"/> (NaN never improves; anything beats a missing best).</summary>
    public bool IsBetter(double candidate, double? best, double minDelta = 0)
    {
        if (double.IsNaN(candidate)) return false;
        if (best is not double b || double.IsNaN(b)) return true;
        return Maximize ? candidate > b + minDelta : candidate < b - minDelta;
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
