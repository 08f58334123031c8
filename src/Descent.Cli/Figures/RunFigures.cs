using Descent.Cli.Plots;
using Descent.Training.Compare;

namespace Descent.Cli.Figures;

/// <summary>The figure of one training run: losses (training, validation, test) and, for classifiers,
/// accuracies (validation, test) against the epoch.</summary>
public static class RunFigures
{
    /// <summary>The learning curves of <paramref name="run"/>, or null before its first epoch.</summary>
    public static Svg? Curves(RunRecord run, string title)
    {
        if (run.History.Count == 0) return null;
        var h = run.History;
        var loss = new LineChart { Title = "loss", XLabel = "epoch", YLabel = "loss", LogY = true, IntegerX = true };
        loss.Series.Add(new Series("training", h.Select(m => ((double)m.Epoch, m.TrainLoss)).ToList()));
        loss.Series.Add(new Series("validation", h.Select(m => ((double)m.Epoch, m.ValLoss)).ToList()));
        loss.Series.Add(new Series("test", h.Select(m => ((double)m.Epoch, m.TestLoss)).ToList()));
        var panels = new List<LineChart> { loss };
        if (h.Any(m => !double.IsNaN(m.TestAccuracy)))
        {
            var acc = new LineChart { Title = "accuracy", XLabel = "epoch", YLabel = "accuracy", IntegerX = true };
            acc.Series.Add(new Series("training", []));
            acc.Series.Add(new Series("validation", h.Select(m => ((double)m.Epoch, m.ValAccuracy)).ToList()));
            acc.Series.Add(new Series("test", h.Select(m => ((double)m.Epoch, m.TestAccuracy)).ToList()));
            panels.Add(acc);
        }
        return LineChart.Figure(title, panels, 420, 320);
    }
}
