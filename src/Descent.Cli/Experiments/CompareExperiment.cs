using System.Globalization;
using Descent.Training.Compare;

namespace Descent.Cli.Experiments;

/// <summary>The resolved experiment of a comparison (<c>descent compare</c>'s options, defaults filled in).</summary>
public static class CompareExperiment
{
    /// <summary>The experiment of <paramref name="spec"/> (resolved) run into <paramref name="outDir"/>.</summary>
    public static ExperimentWriter From(CompareSpec spec, string outDir)
    {
        static string I(long v) => v.ToString(CultureInfo.InvariantCulture);
        var t = spec.Template;
        var w = new ExperimentWriter("compare")
            .Add("problem", t.Problem)
            .Add("optimizers", spec.Optimizers)
            .Add("set", spec.Settings)
            .Add("tune", spec.Grid.Text)
            .Add("tune-epochs", spec.TuneEpochs is int te ? I(te) : null)
            .Add("seeds", I(spec.Seeds))
            .Add("seed", t.Seed.ToString(CultureInfo.InvariantCulture))
            .Add("epochs", t.Epochs is int e ? I(e) : null)
            .Add("schedule", t.Schedule)
            .Add("sampler", t.Sampler)
            .Add("batch-size", t.Sampler is "full" or "online" || t.BatchSize is not int b ? null : I(b))
            .Add("data-dir", t.DataDir)
            .Add("val-fraction", t.ValidationFraction.ToString("R", CultureInfo.InvariantCulture))
            .Add("limit-train", I(t.LimitTrain ?? 0))
            .Add("limit-eval", I(t.LimitEval ?? 0))
            .Add("l2", t.L2 > 0 ? t.L2.ToString("R", CultureInfo.InvariantCulture) : null)
            .Add("monitor", t.Monitor)
            .Add("target", spec.Target?.ToString() ?? "none")
            .Add("keep-models", spec.KeepModels ? "true" : null);
        TrainRecipeExperiment.Add(w, t);
        return w.Add("out", outDir);
    }
}
