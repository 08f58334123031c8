using System.Globalization;
using Descent.Cli.Experiments;
using Descent.Cli.Figures;
using Descent.Training.Compare;

namespace Descent.Cli.Reports;

/// <summary>The <c>report.html</c> of a comparison directory: the verdict, the results table, the figures, the
/// search, every run (with a link to its own report), the resolved experiment and the environment.</summary>
public static class CompareReport
{
    /// <summary>The report's file name.</summary>
    public const string FileName = "report.html";

    /// <summary>Writes <c>report.html</c> into <paramref name="directory"/> (the figures must be written first).</summary>
    public static string Write(string directory, ComparisonResult result)
    {
        var t = result.Spec.Template;
        var report = new HtmlReport($"Comparison of {result.Optimizers.Count} optimizers on {t.Problem}");
        report.Paragraph(ResultsTable.BestLine(result) + ".");
        if (result.IsSample)
            report.Paragraph("These runs used the small Fashion-MNIST sample bundled with Descent (the full set was not found); results on the full data set differ.", "note");
        report.Paragraph(Budget(result));
        report.Table(ResultsTable.Headers(result), ResultsTable.Rows(result), ResultsTable.BestRow(result),
            $"mean ± standard deviation over seeds; {result.ValidationMetricName.Replace('_', ' ')} chose each learning rate; test metric of the final model; time includes evaluation");

        report.Heading("Figures");
        foreach (var name in CompareFigures.FileNames)
        {
            string path = Path.Combine(directory, name);
            if (File.Exists(path)) report.Svg(File.ReadAllText(path), name);
        }

        if (result.Optimizers.Any(o => o.Trials.Count > 0))
        {
            report.Heading("Learning-rate search");
            report.Table(["optimizer", "learning rate", $"best {result.ValidationMetricName.Replace('_', ' ')}", "status", "chosen"],
                result.Optimizers.SelectMany(o => o.Trials.Select(tr => (IReadOnlyList<string>)
                    [o.Optimizer, LearningRateGrid.Format(tr.LearningRate), F(tr.Score), tr.Status, tr.LearningRate == o.LearningRate ? "yes" : ""])));
        }

        report.Heading("Runs");
        var links = result.Optimizers.SelectMany(o => o.Runs.Concat(o.Trials.Where(tr => tr.LearningRate != o.LearningRate).Select(tr => RunRecord.Load(tr.Directory))))
            .DistinctBy(r => r.Directory).ToList();
        report.Raw("<table><thead><tr><th>run</th><th>status</th><th>epochs</th><th>final train loss</th><th>test accuracy</th><th>test loss</th><th>seconds</th></tr></thead><tbody>");
        foreach (var r in links)
        {
            string rel = Path.GetRelativePath(directory, r.Directory).Replace('\\', '/');
            string name = File.Exists(Path.Combine(r.Directory, RunReport.FileName)) ? HtmlReport.Link(rel + "/" + RunReport.FileName, rel) : HtmlReport.E(rel);
            report.Raw($"<tr><td>{name}</td><td>{HtmlReport.E(r.Status)}</td><td>{r.History.Count}</td><td>{F(r.History.Count > 0 ? r.History[^1].TrainLoss : double.NaN)}</td>" +
                $"<td>{F(r.TestAccuracy)}</td><td>{F(r.TestLoss)}</td><td>{F(r.Seconds, "F1")}</td></tr>");
        }
        report.Raw("</tbody></table>");

        ExtraFigures.AddTo(report, directory, CompareFigures.FileNames);
        string experiment = Path.Combine(directory, ExperimentWriter.FileName);
        if (File.Exists(experiment))
        {
            report.Heading("Resolved experiment");
            report.Paragraph($"descent compare --config {ExperimentWriter.FileName} runs this comparison again.");
            report.Code(File.ReadAllText(experiment));
        }
        report.Heading("Environment");
        report.Definitions(EnvironmentInfo.Items().Append(("data", result.DataSource ?? "unknown"))
            .Append(("seeds", $"{t.Seed} to {t.Seed + (ulong)result.Spec.Seeds - 1}"))
            .Append(("comparison time", F(result.Seconds, "F1") + " s")));
        string file = Path.Combine(directory, FileName);
        report.Save(file);
        return file;
    }

    /// <summary>The budget in one sentence.</summary>
    public static string Budget(ComparisonResult r)
    {
        var t = r.Spec.Template;
        string data = t.LimitTrain is int n ? string.Create(CultureInfo.InvariantCulture, $"the first {n:N0} training examples") : "the whole training split";
        string search = r.Spec.Grid.IsNone ? "no learning-rate search" : $"a learning-rate search ({r.Spec.Grid.Text}) scored on {r.ValidationMetricName.Replace('_', ' ')}";
        string eval = t.LimitEval is int e ? string.Create(CultureInfo.InvariantCulture, $"; evaluated on up to {e:N0} validation and {e:N0} test examples.") : ".";
        return string.Create(CultureInfo.InvariantCulture,
            $"Budget: {t.Epochs} epochs on {data}, batch {t.BatchSize}, {search}, then {r.Spec.Seeds} seed{(r.Spec.Seeds == 1 ? "" : "s")} at the chosen rate{eval}");
    }

    private static string F(double x, string format = "F4") => double.IsNaN(x) ? "—" : x.ToString(format, CultureInfo.InvariantCulture);
}
