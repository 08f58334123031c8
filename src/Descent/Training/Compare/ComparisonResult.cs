namespace Descent.Training.Compare;

/// <summary>One learning rate of an optimizer's search.</summary>
/// <param name="LearningRate">The rate.</param>
/// <param name="Score">Its validation score (the best validation accuracy, or the lowest validation loss; NaN if none).</param>
/// <param name="Status">How the run ended (<c>halted</c> when it diverged).</param>
/// <param name="Directory">The run directory.</param>
public sealed record TrialOutcome(double LearningRate, double Score, string Status, string Directory);

/// <summary>
/// An optimizer's result: the chosen rate (searched or given), the search, and the runs at that rate with
/// their statistics over seeds — final training loss, best validation metric, the final model's test metric,
/// seconds per epoch, and steps and seconds to the target.
/// </summary>
/// <param name="Optimizer">The optimizer.</param>
/// <param name="Settings">Its settings besides the rate.</param>
/// <param name="LearningRate">The rate of the seed runs (null when the search found none that trained).</param>
/// <param name="Searched">True if the rate came from the search.</param>
/// <param name="Trials">The search, in increasing rate.</param>
/// <param name="Runs">The runs at the chosen rate, one per seed.</param>
/// <param name="FinalTrainLoss">The last epoch's training loss.</param>
/// <param name="BestValidation">The monitored validation metric's best epoch.</param>
/// <param name="Test">The final model's test accuracy (classification) or test loss.</param>
/// <param name="SecondsPerEpoch">Wall-clock seconds per epoch (evaluation included).</param>
/// <param name="StepsToTarget">Steps until the target was first reached (over the seeds that reached it).</param>
/// <param name="SecondsToTarget">Seconds until the target was first reached.</param>
public sealed record OptimizerOutcome(string Optimizer, IReadOnlyDictionary<string, string> Settings, double? LearningRate, bool Searched,
    IReadOnlyList<TrialOutcome> Trials, IReadOnlyList<RunRecord> Runs, Stat FinalTrainLoss, Stat BestValidation, Stat Test,
    Stat SecondsPerEpoch, Stat StepsToTarget, Stat SecondsToTarget)
{
    /// <summary>The statistics of <paramref name="runs"/>.</summary>
    public static OptimizerOutcome From(string optimizer, IReadOnlyDictionary<string, string> settings, double? rate, bool searched,
        IReadOnlyList<TrialOutcome> trials, IReadOnlyList<RunRecord> runs, CompareSpec spec)
    {
        var monitor = ValidationMetric.Parse(spec.Template.Monitor);
        bool classification = monitor.Maximize || runs.Any(r => !double.IsNaN(r.TestAccuracy));
        var reached = spec.Target is { } t ? runs.Select(r => t.FirstReached(r.History)).ToList() : [];
        return new OptimizerOutcome(optimizer, settings.Where(kv => kv.Key != "lr").ToDictionary(kv => kv.Key, kv => kv.Value), rate, searched,
            trials, runs,
            Stat.Of(runs.Select(r => r.History.Count > 0 ? r.History[^1].TrainLoss : double.NaN)),
            Stat.Of(runs.Select(r => Comparison.Score(r, spec))),
            Stat.Of(runs.Select(r => classification ? r.TestAccuracy : r.TestLoss)),
            Stat.Of(runs.Select(r => r.History.Count > 0 ? r.Seconds / r.History.Count : double.NaN)),
            Stat.Of(reached.Select(m => m is null ? double.NaN : m.Step)),
            Stat.Of(reached.Select(m => m is null ? double.NaN : m.Seconds)));
    }
}

/// <summary>A whole comparison's result.</summary>
/// <param name="Spec">What was compared (resolved).</param>
/// <param name="Optimizers">Each optimizer's outcome, in the order compared.</param>
/// <param name="Classification">True if the test metric is an accuracy (higher is better), false for a loss.</param>
/// <param name="Best">The optimizer with the best mean test metric, or null.</param>
/// <param name="DataSource">Where the data came from.</param>
/// <param name="IsSample">True if the runs used the bundled sample.</param>
/// <param name="Seconds">Wall-clock seconds of the whole comparison.</param>
public sealed record ComparisonResult(CompareSpec Spec, IReadOnlyList<OptimizerOutcome> Optimizers, bool Classification, string? Best,
    string? DataSource, bool IsSample, double Seconds)
{
    /// <summary>The name of the test metric: <c>test_accuracy</c> or <c>test_loss</c>.</summary>
    public string TestMetric => Classification ? "test_accuracy" : "test_loss";

    /// <summary>The name of the validation metric that chose the rates.</summary>
    public string ValidationMetricName => Spec.Template.Monitor;

    /// <summary>Collects the outcomes and names the best.</summary>
    public static ComparisonResult From(CompareSpec spec, IReadOnlyList<OptimizerOutcome> outcomes, double seconds)
    {
        var any = outcomes.SelectMany(o => o.Runs.Concat(o.Trials.Select(t => RunRecord.Load(t.Directory)))).FirstOrDefault(r => r.Summary is not null);
        bool classification = outcomes.SelectMany(o => o.Runs).Any(r => !double.IsNaN(r.TestAccuracy));
        OptimizerOutcome? best = null;
        foreach (var o in outcomes.Where(o => o.Test.Count > 0))
            if (best is null || (classification ? o.Test.Mean > best.Test.Mean : o.Test.Mean < best.Test.Mean)) best = o;
        return new ComparisonResult(spec, outcomes, classification, best?.Optimizer, any?.DataSource, any?.IsSample ?? false, seconds);
    }
}
