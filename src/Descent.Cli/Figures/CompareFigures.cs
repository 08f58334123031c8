using Descent.Cli.Plots;
using Descent.Training.Compare;

namespace Descent.Cli.Figures;

/// <summary>
/// The figures of a comparison, each a standalone SVG file: training loss against epochs and against seconds,
/// the test metric against epochs (each the mean over seeds with the range shaded), and the learning-rate
/// sensitivity (the validation score of every searched rate, the chosen one ringed).
/// </summary>
public static class CompareFigures
{
    /// <summary>The file names, in the order a report shows them.</summary>
    public static IReadOnlyList<string> FileNames { get; } = ["loss_epochs.svg", "loss_seconds.svg", "test_metric.svg", "lr_sensitivity.svg"];

    /// <summary>Writes the figures into <paramref name="directory"/>; returns the paths written.</summary>
    public static IReadOnlyList<string> Write(string directory, ComparisonResult result)
    {
        var written = new List<string>();
        foreach (var (name, svg) in Build(result))
        {
            string path = Path.Combine(directory, name);
            svg.Save(path);
            written.Add(path);
        }
        return written;
    }

    /// <summary>The figures as (file name, document).</summary>
    public static IEnumerable<(string Name, Svg Svg)> Build(ComparisonResult result)
    {
        string problem = result.Spec.Template.Problem;
        string seeds = result.Spec.Seeds == 1 ? "1 seed" : $"mean of {result.Spec.Seeds} seeds, range shaded";
        var opts = result.Optimizers.Where(o => o.Runs.Count > 0).ToList();
        string Label(OptimizerOutcome o) => $"{o.Optimizer} (lr {LearningRateGrid.Format(o.LearningRate ?? double.NaN)})";

        var lossEpochs = new LineChart { Title = "training loss", XLabel = "epoch", YLabel = "training loss (mean over the epoch)", LogY = true, IntegerX = true };
        var lossSeconds = new LineChart { Title = "training loss against time", XLabel = "seconds", YLabel = "training loss (mean over the epoch)", LogY = true };
        string testName = result.Classification ? "test accuracy" : "test loss";
        var test = new LineChart { Title = testName, XLabel = "epoch", YLabel = testName, IntegerX = true, LogY = !result.Classification };
        foreach (var o in opts)
        {
            lossEpochs.Series.Add(SeedCurves.Of(Label(o), o.Runs, m => m.TrainLoss));
            lossSeconds.Series.Add(SeedCurves.Of(Label(o), o.Runs, m => m.TrainLoss, againstSeconds: true));
            test.Series.Add(SeedCurves.Of(Label(o), o.Runs, m => result.Classification ? m.TestAccuracy : m.TestLoss));
        }
        yield return ("loss_epochs.svg", LineChart.Figure($"{problem}: training loss by epoch ({seeds})", [lossEpochs], 640, 400));
        yield return ("loss_seconds.svg", LineChart.Figure($"{problem}: training loss by wall-clock time ({seeds})", [lossSeconds], 640, 400));
        yield return ("test_metric.svg", LineChart.Figure($"{problem}: {testName} by epoch ({seeds})", [test], 640, 400));

        string score = result.ValidationMetricName.Replace('_', ' ');
        var sensitivity = new LineChart { Title = "learning-rate sensitivity", XLabel = "learning rate", YLabel = $"best {score}", LogX = true, LogY = !result.Classification };
        foreach (var o in result.Optimizers.Where(o => o.Trials.Count > 0))
        {
            var pts = o.Trials.Select(t => (t.LearningRate, t.Score)).ToList();
            int chosen = o.LearningRate is double lr ? o.Trials.ToList().FindIndex(t => t.LearningRate == lr) : -1;
            sensitivity.Series.Add(new Series(o.Optimizer, pts) { Highlight = chosen >= 0 ? chosen : null });
        }
        if (sensitivity.Series.Count > 0)
            yield return ("lr_sensitivity.svg", LineChart.Figure($"{problem}: validation score of each searched rate (ringed: chosen; gaps: diverged)", [sensitivity], 640, 400,
                note: $"each point is one run of {result.Spec.TuneEpochs ?? result.Spec.Template.Epochs} epochs, seed {result.Spec.Template.Seed}"));
    }
}
