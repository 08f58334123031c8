using System.CommandLine;
using Descent.Cli.Figures;
using Descent.Cli.Reports;
using Descent.Training.Compare;

namespace Descent.Cli.Commands;

/// <summary>
/// <c>descent report DIR</c>: (re)writes the self-contained <c>report.html</c> of a run or comparison directory — for
/// instance after <c>descent hessian</c> or <c>descent landscape</c> left figures there, which the report then shows.
/// </summary>
public static class ReportCommand
{
    /// <summary>The command.</summary>
    public static Command Create(CommandContext context)
    {
        var dir = new Argument<string>("DIR") { Description = "a run directory (from descent train) or a comparison directory (from descent compare)" };
        var cmd = new Command("report", "Write the self-contained report.html of a run or comparison directory (figures, tables, configuration, environment).");
        cmd.Arguments.Add(dir);
        cmd.SetAction(pr =>
        {
            string d = pr.GetValue(dir)!;
            string file;
            if (File.Exists(Path.Combine(d, ResultFiles.JsonFileName)) && File.Exists(Path.Combine(d, Experiments.ExperimentWriter.FileName)))
            {
                var result = ResultReader.Load(d);
                CompareFigures.Write(d, result);
                file = CompareReport.Write(d, result);
            }
            else if (RunRecord.Exists(d)) file = RunReport.Write(d);
            else throw new ConfigurationException($"{d} holds neither a run (metrics.csv, summary.json) nor a comparison (results.json); give the --out directory of descent train or descent compare.");
            context.Output.WriteLine($"wrote {file}");
            return CliErrors.Ok;
        });
        return cmd;
    }
}
