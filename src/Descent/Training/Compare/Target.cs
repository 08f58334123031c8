using System.Globalization;

namespace Descent.Training.Compare;

/// <summary>
/// A level a run should reach, such as <c>test_accuracy=0.8</c> or <c>val_loss=0.4</c>: a comparison reports the
/// steps and seconds each optimizer took to get there (the first epoch whose metric reaches it). Accuracies
/// reach a target from below (≥), losses from above (≤).
/// </summary>
/// <param name="Metric">A column of <c>metrics.csv</c>: <c>train_loss</c>, <c>val_loss</c>, <c>val_accuracy</c>,
/// <c>test_loss</c> or <c>test_accuracy</c>.</param>
/// <param name="Value">The level.</param>
public sealed record Target(string Metric, double Value)
{
    private static readonly string[] Metrics = ["train_loss", "val_loss", "val_accuracy", "test_loss", "test_accuracy"];

    /// <summary>True if larger values are better (accuracies).</summary>
    public bool Maximize => Metric.EndsWith("accuracy", StringComparison.Ordinal);

    /// <summary>The text form, <c>metric=value</c>.</summary>
    public override string ToString() => $"{Metric}={Value.ToString("R", CultureInfo.InvariantCulture)}";

    /// <summary>Reads <c>metric=value</c>.</summary>
    /// <exception cref="ConfigurationException">Unknown metric or not a number.</exception>
    public static Target Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('=', 2, StringSplitOptions.TrimEntries);
        string metric = parts[0].ToLowerInvariant().Replace('-', '_');
        if (metric is "val_acc") metric = "val_accuracy";
        if (metric is "test_acc" or "accuracy") metric = "test_accuracy";
        if (parts.Length != 2 || !Metrics.Contains(metric)
            || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
            throw new ConfigurationException($"--target '{text}' must be METRIC=VALUE with METRIC one of {string.Join(", ", Metrics)}, e.g. test_accuracy=0.8.");
        return new Target(metric, v);
    }

    /// <summary>The metric's value in an epoch's row.</summary>
    public double Read(EpochMetrics m) => Metric switch
    {
        "train_loss" => m.TrainLoss,
        "val_loss" => m.ValLoss,
        "val_accuracy" => m.ValAccuracy,
        "test_loss" => m.TestLoss,
        _ => m.TestAccuracy,
    };

    /// <summary>The first epoch of <paramref name="history"/> that reaches the target, or null.</summary>
    public EpochMetrics? FirstReached(IEnumerable<EpochMetrics> history)
    {
        foreach (var m in history)
        {
            double v = Read(m);
            if (!double.IsNaN(v) && (Maximize ? v >= Value : v <= Value)) return m;
        }
        return null;
    }
}
