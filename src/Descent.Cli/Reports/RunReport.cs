using System.Globalization;
using Descent.Cli.Experiments;
using Descent.Cli.Figures;
using Descent.Training;
using Descent.Training.Compare;

namespace Descent.Cli.Reports;

/// <summary>The <c>report.html</c> of a training run directory: how it ended, its final metrics, its learning
/// curves, every epoch, the resolved experiment, the environment, and any other figures in the directory.</summary>
public static class RunReport
{
    /// <summary>The report's file name.</summary>
    public const string FileName = "report.html";

    /// <summary>Writes <c>report.html</c> into the run directory <paramref name="directory"/>.</summary>
    public static string Write(string directory)
    {
        var run = RunRecord.Load(directory);
        string problem = run.Text("problem") ?? "?", optimizer = run.Text("optimizer") ?? "?";
        var report = new HtmlReport($"Training run: {problem} with {optimizer}");
        report.Paragraph($"{Path.GetFullPath(directory)} — status {run.Status}{(run.Message is null ? "" : ": " + run.Message)}.");
        if (run.IsSample)
            report.Paragraph("This run used the small Fashion-MNIST sample bundled with Descent (the full set was not found); results on the full data set differ.", "note");
        report.Definitions(new (string, string)[]
        {
            ("test accuracy", F(run.TestAccuracy)), ("test loss", F(run.TestLoss)),
            ("epochs", run.History.Count.ToString(CultureInfo.InvariantCulture)), ("steps", run.Steps.ToString(CultureInfo.InvariantCulture)),
            ("seconds", F(run.Seconds, "F1")), ("seed", F(run.Number("seed"), "F0")), ("data", run.DataSource ?? "unknown"),
        });
        if (RunFigures.Curves(run, $"{problem}: {optimizer}") is { } curves)
        {
            report.Heading("Learning curves");
            report.Svg(curves.ToString(), "losses (log scale) and accuracies by epoch");
        }
        if (run.History.Count > 0)
        {
            report.Heading("Epochs");
            report.Table(MetricsCsv.Header.Split(','), run.History.Select(m => (IReadOnlyList<string>)
            [
                m.Epoch.ToString(CultureInfo.InvariantCulture), m.Step.ToString(CultureInfo.InvariantCulture), F(m.TrainLoss), F(m.ValLoss),
                F(m.ValAccuracy), F(m.TestLoss), F(m.TestAccuracy), m.LearningRate.ToString("G4", CultureInfo.InvariantCulture), F(m.Seconds, "F1"),
            ]));
        }
        ExtraFigures.AddTo(report, directory, []);
        string experiment = Path.Combine(directory, ExperimentWriter.FileName);
        if (File.Exists(experiment))
        {
            report.Heading("Resolved experiment");
            report.Paragraph($"descent train --config {ExperimentWriter.FileName} runs this again (with --out elsewhere, or --overwrite).");
            report.Code(File.ReadAllText(experiment));
        }
        if (run.Summary is { } s && s.TryGetProperty("settings", out var settings))
        {
            report.Heading("Optimizer settings");
            report.Definitions(settings.EnumerateObject().Select(p => (p.Name, p.Value.ToString())));
        }
        report.Heading("Environment");
        report.Definitions(EnvironmentInfo.Items());
        string file = Path.Combine(directory, FileName);
        report.Save(file);
        return file;
    }

    private static string F(double x, string format = "F4") => double.IsNaN(x) ? "—" : x.ToString(format, CultureInfo.InvariantCulture);
}
