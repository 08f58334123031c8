using System.Globalization;
using Descent.Training;

namespace Descent.Cli.Experiments;

/// <summary>The resolved experiment of a training run (<c>descent train</c>'s options, defaults filled in).</summary>
public static class TrainExperiment
{
    /// <summary>The experiment of <paramref name="spec"/> (resolved) run into <paramref name="outDir"/>.</summary>
    public static ExperimentWriter From(RunSpec spec, string outDir)
    {
        static string I(long v) => v.ToString(CultureInfo.InvariantCulture);
        static string D(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        var w = new ExperimentWriter("train")
            .Add("problem", spec.Recipe.Data is null ? spec.Problem : null)
            .Add("optimizer", spec.Optimizer)
            .Add("set", spec.Settings.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            .Add("schedule", spec.Schedule)
            .Add("epochs", spec.Epochs is int e ? I(e) : null)
            .Add("sampler", spec.Sampler)
            .Add("batch-size", spec.Sampler is "full" or "online" || spec.BatchSize is not int b ? null : I(b))
            .Add("seed", spec.Seed.ToString(CultureInfo.InvariantCulture))
            .Add("data-dir", spec.DataDir)
            .Add("val-fraction", D(spec.ValidationFraction))
            .Add("limit-train", spec.LimitTrain is int lt ? I(lt) : null)
            .Add("limit-eval", spec.LimitEval is int le ? I(le) : null)
            .Add("l2", spec.L2 > 0 ? D(spec.L2) : null)
            .Add("l2-on", spec.L2 > 0 ? spec.L2On : null)
            .Add("group", spec.Groups)
            .Add("early-stopping", spec.EarlyStopping is int es ? I(es) : null)
            .Add("monitor", spec.Monitor)
            .Add("restore-best", spec.RestoreBest ? "true" : null)
            .Add("checkpoint-every", spec.CheckpointEvery > 0 ? I(spec.CheckpointEvery) : null)
            .Add("keep-epoch-checkpoints", spec.KeepEpochCheckpoints ? "true" : null)
            .Add("log-every", spec.LogEvery > 0 ? I(spec.LogEvery) : null)
            .Add("eval-batch-size", I(spec.EvalBatchSize));
        TrainRecipeExperiment.Add(w, spec);
        return w.Add("out", outDir);
    }
}
