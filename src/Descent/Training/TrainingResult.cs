namespace Descent.Training;

/// <summary>How a run ended.</summary>
public enum TrainingStatus
{
    /// <summary>All epochs done.</summary>
    Completed,

    /// <summary>A callback (early stopping) stopped it.</summary>
    Stopped,

    /// <summary>Paused at <see cref="TrainerOptions.MaxSteps"/>; resumable.</summary>
    Paused,

    /// <summary>Cancelled (Ctrl-C) after finishing a step and saving a checkpoint; resumable.</summary>
    Interrupted,

    /// <summary>Halted on a non-finite loss or gradient (<c>nonfinite=halt</c>).</summary>
    Halted,
}

/// <summary>What a training run did.</summary>
/// <param name="Status">How it ended.</param>
/// <param name="Message">Why it stopped (early stopping, the non-finite error, …), or null.</param>
/// <param name="History">Per-epoch metrics.</param>
/// <param name="Monitor">The metric defining <see cref="Best"/>.</param>
/// <param name="TotalSteps">Steps taken (skipped included).</param>
/// <param name="SkippedSteps">Steps skipped for non-finite values.</param>
/// <param name="Seconds">Wall-clock seconds (across resumptions).</param>
/// <param name="BytesAllocatedPerStep">Mean managed bytes allocated by the training thread per step after warm-up
/// (NaN if too few steps were measured).</param>
/// <param name="RestoredEpoch">The epoch whose weights the final model holds when the best ones were restored.</param>
/// <param name="Report">The metrics of the final model: the restored best epoch's, else the last epoch's.</param>
public sealed record TrainingResult(TrainingStatus Status, string? Message, IReadOnlyList<EpochMetrics> History, ValidationMetric Monitor,
    long TotalSteps, long SkippedSteps, double Seconds, double BytesAllocatedPerStep, int? RestoredEpoch, EpochMetrics? Report)
{
    /// <summary>The last epoch's metrics, or null before the first epoch ended.</summary>
    public EpochMetrics? Final => History.Count == 0 ? null : History[^1];

    /// <summary>The epoch with the best monitored validation metric, or null.</summary>
    public EpochMetrics? Best
    {
        get
        {
            EpochMetrics? best = null;
            foreach (var m in History)
                if (Monitor.IsBetter(Monitor.Read(m), best is null ? null : Monitor.Read(best))) best = m;
            return best;
        }
    }

    /// <summary>The best monitored validation value, or NaN.</summary>
    public double BestValidation => Best is { } b ? Monitor.Read(b) : double.NaN;

    /// <summary>True if the run can be continued from its checkpoint.</summary>
    public bool Resumable => Status is TrainingStatus.Paused or TrainingStatus.Interrupted;
}
