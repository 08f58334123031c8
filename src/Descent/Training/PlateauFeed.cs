using Descent.Optim.Schedules;

namespace Descent.Training;

/// <summary>
/// Feeds a validation metric to the optimizer's schedule after every epoch, for reduce-on-plateau
/// (<c>--schedule plateau:patience=2</c>, <see cref="ReduceOnPlateau"/>): the schedule keeps the history it
/// needs in its own state, which the optimizer's exported state carries into checkpoints. Other schedules
/// ignore the reports.
/// </summary>
/// <param name="monitor">The metric reported; it should match the schedule's <c>mode</c>
/// (<c>min</c> for a loss, <c>max</c> for an accuracy).</param>
public sealed class PlateauFeed(ValidationMetric monitor) : ITrainingCallback
{
    /// <summary>The reported metric.</summary>
    public ValidationMetric Monitor { get; } = monitor;

    /// <inheritdoc />
    public string Name => "plateau_feed";

    /// <summary>The monitor a schedule wants: <c>val_accuracy</c> for <c>mode=max</c>, else <c>val_loss</c>.</summary>
    public static ValidationMetric For(Schedule schedule) =>
        schedule.Spec.Contains("mode=max", StringComparison.Ordinal) ? ValidationMetric.ValAccuracy : ValidationMetric.ValLoss;

    /// <summary>True if <paramref name="schedule"/> contains a reduce-on-plateau part.</summary>
    public static bool Needed(Schedule schedule) => schedule.Spec.Contains("plateau", StringComparison.Ordinal);

    /// <inheritdoc />
    public CallbackAction OnEpochEnd(TrainingContext context, EpochMetrics metrics)
    {
        context.Optimizer.Schedule.Report(Monitor.Read(metrics));
        return CallbackAction.Continue;
    }
}
