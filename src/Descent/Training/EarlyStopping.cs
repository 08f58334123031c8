namespace Descent.Training;

/// <summary>
/// Early stopping (Goodfellow et al. 2016, §7.8): stop when the monitored validation metric has not
/// improved by more than <see cref="MinDelta"/> for <see cref="Patience"/> epochs in a row. Its state (best
/// value and epoch, epochs without improvement) is checkpointed, so a resumed run stops at the same epoch.
/// Pair it with <see cref="BestWeights"/> to end with the best epoch's weights.
/// </summary>
public sealed class EarlyStopping : ITrainingCallback
{
    private double? best;
    private int bestEpoch, bad;

    /// <summary>Creates the callback.</summary>
    /// <exception cref="ConfigurationException">The patience is below 1 or the delta negative.</exception>
    public EarlyStopping(int patience, ValidationMetric? monitor = null, double minDelta = 0)
    {
        if (patience < 1) throw new ConfigurationException($"Early-stopping patience must be at least 1 epoch, got {patience}.");
        if (!(minDelta >= 0)) throw new ConfigurationException($"Early-stopping min delta must be ≥ 0, got {minDelta}.");
        Patience = patience;
        Monitor = monitor ?? ValidationMetric.ValLoss;
        MinDelta = minDelta;
    }

    /// <summary>Epochs without improvement tolerated.</summary>
    public int Patience { get; }

    /// <summary>The metric watched.</summary>
    public ValidationMetric Monitor { get; }

    /// <summary>The improvement that counts.</summary>
    public double MinDelta { get; }

    /// <summary>The best value so far, or null.</summary>
    public double? BestValue => best;

    /// <summary>The epoch (1-based) of <see cref="BestValue"/>, or 0.</summary>
    public int BestEpoch => bestEpoch;

    /// <inheritdoc />
    public string Name => "early_stopping";

    /// <inheritdoc />
    public CallbackAction OnEpochEnd(TrainingContext context, EpochMetrics metrics)
    {
        double v = Monitor.Read(metrics);
        if (Monitor.IsBetter(v, best, MinDelta)) { best = v; bestEpoch = metrics.Epoch; bad = 0; }
        else bad++;
        return bad >= Patience ? CallbackAction.Stop : CallbackAction.Continue;
    }

    /// <inheritdoc />
    public CallbackState ExportState() => new(new Dictionary<string, double>
    {
        ["best"] = best ?? double.NaN,
        ["has_best"] = best is null ? 0 : 1,
        ["best_epoch"] = bestEpoch,
        ["bad_epochs"] = bad,
    });

    /// <inheritdoc />
    public void ImportState(CallbackState state)
    {
        best = state.Get("has_best", 0) != 0 ? state.Get("best") : null;
        bestEpoch = (int)state.Get("best_epoch", 0);
        bad = (int)state.Get("bad_epochs", 0);
    }
}
