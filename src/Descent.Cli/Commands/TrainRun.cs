using System.Globalization;
using Descent.Cli.Experiments;
using Descent.Cli.Reports;
using Descent.Cli.Terminal;
using Descent.Distributed;
using Descent.Training;

namespace Descent.Cli.Commands;

/// <summary>
/// What <c>descent train</c> does with a spec: writes the resolved <c>experiment.yaml</c> (for a new run), trains
/// (<see cref="TrainingRun.Execute"/>, Ctrl-C saving a checkpoint), writes <c>report.html</c>, and prints as the
/// output mode says. With <c>--restarts N</c> it trains N seeds in subdirectories and keeps the best.
/// </summary>
/// <remarks>Under MPI (<paramref name="comm"/> of several processes) every process trains and rank 0 alone writes
/// files and prints; restarts are refused.</remarks>
internal sealed class TrainRun(RunSpec spec, string directory, bool resume, bool overwrite, bool showGroups, OutputMode mode, CommandContext context,
    string? resumeFrom = null, Communicator? comm = null)
{
    private bool IsRoot => comm is null || comm.IsRoot;

    /// <summary>The file a restarted training writes next to its seeds' directories.</summary>
    public const string RestartsFileName = "restarts.json";

    /// <summary>Trains once; returns the exit code.</summary>
    public int Execute()
    {
        var result = Train(spec, directory, resume);
        return result.Status == TrainingStatus.Interrupted ? CliErrors.Interrupted : CliErrors.Ok;
    }

    /// <summary>Trains <paramref name="n"/> seeds and keeps the best by the monitored validation metric.</summary>
    public int ExecuteRestarts(int n)
    {
        if (resume || resumeFrom is not null) throw new ConfigurationException("--restarts cannot be combined with --resume; resume a seed's own run with --out DIR/seed-S --resume.");
        if (comm is { Size: > 1 }) throw new ConfigurationException("--restarts cannot be combined with MPI; start one mpirun job per seed.");
        if (spec.MaxSteps is not null) throw new ConfigurationException("--restarts cannot be combined with --max-steps.");
        var resolved = spec.Resolve().Spec;
        var seeds = Enumerable.Range(0, n).Select(k => spec.Seed + (ulong)k).ToList();
        var outcome = Restarts.Run(seeds, seed =>
        {
            if (mode == OutputMode.Normal) context.Output.WriteLine($"restart {seed - spec.Seed + 1}/{n}: seed {seed}");
            return Train(spec with { Seed = seed }, Path.Combine(directory, $"seed-{seed}"), false);
        }, ValidationMetric.Parse(resolved.Monitor));
        var best = outcome.Best;
        string line = string.Create(CultureInfo.InvariantCulture,
            $"best of {n} seeds: seed {outcome.BestSeed} ({resolved.Monitor} {best.BestValidation:F4}{(best.Report is { } r && !double.IsNaN(r.TestAccuracy) ? $", test_accuracy {r.TestAccuracy:F4}" : "")}) in {Path.Combine(directory, $"seed-{outcome.BestSeed}")}");
        string json = RestartsJson(outcome, resolved.Monitor);
        OutputFile.Write(Path.Combine(directory, RestartsFileName), json);
        if (mode == OutputMode.Json) context.Output.Write(json);
        else context.Output.WriteLine(line);
        return CliErrors.Ok;
    }

    private TrainingResult Train(RunSpec s, string dir, bool resumeRun)
    {
        var resolved = s.Resolve().Spec;
        if (resumeFrom is not null) resumeRun = true;
        bool holdsRun = File.Exists(CheckpointFile.LatestPath(dir)) || File.Exists(Path.Combine(dir, RunSummary.FileName));
        if (IsRoot && !resumeRun && (!holdsRun || overwrite)) TrainExperiment.From(resolved, dir).Save(dir);
        var output = mode == OutputMode.Normal ? context.Output : TextWriter.Null;
        string resumeCommand = TrainCommand.ResumeCommand(context.Args);
        if (comm is not null) resumeCommand = DistributedTrain.ResumeCommand(resumeCommand, comm);
        var io = new RunIo(dir, resumeRun, overwrite, output, context.Interactive && mode == OutputMode.Normal, resumeCommand, showGroups,
            resumeFrom, comm);
        TrainingResult result;
        try
        {
            result = Signals.Run(token => TrainingRun.Execute(s, io, token), context.Cancellation,
                signal => { if (comm is { Size: > 1 }) DistributedTrain.ReportSignal(context.Error, comm, signal); });
        }
        finally
        {
            if (IsRoot && File.Exists(Path.Combine(dir, RunSummary.FileName))) RunReport.Write(dir);
        }
        if (!IsRoot) return result;
        if (mode == OutputMode.Normal) context.Output.WriteLine($"report: {Path.Combine(dir, RunReport.FileName)}");
        else if (mode == OutputMode.Quiet) context.Output.WriteLine(QuietLine(result, dir));
        else if (mode == OutputMode.Json && File.Exists(Path.Combine(dir, RunSummary.FileName))) context.Output.Write(File.ReadAllText(Path.Combine(dir, RunSummary.FileName)) + "\n");
        return result;
    }

    private static string QuietLine(TrainingResult r, string dir)
    {
        var m = r.Report;
        string acc = m is null || double.IsNaN(m.TestAccuracy) ? "" : string.Create(CultureInfo.InvariantCulture, $" test_accuracy {m.TestAccuracy:F4}");
        string loss = m is null ? "" : string.Create(CultureInfo.InvariantCulture, $" test_loss {m.TestLoss:F4}");
        return $"{r.Status.ToString().ToLowerInvariant()}{acc}{loss} {dir}";
    }

    private static string RestartsJson(RestartsResult outcome, string monitor)
    {
        using var buffer = new MemoryStream();
        using (var w = new System.Text.Json.Utf8JsonWriter(buffer, new System.Text.Json.JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("monitor", monitor);
            w.WriteNumber("best_seed", outcome.BestSeed);
            w.WriteStartArray("runs");
            foreach (var (seed, result) in outcome.Runs)
            {
                w.WriteStartObject();
                w.WriteNumber("seed", seed);
                w.WriteString("run", $"seed-{seed}");
                w.WriteString("status", result.Status.ToString().ToLowerInvariant());
                Number(w, "best_validation", result.BestValidation);
                Number(w, "test_accuracy", result.Report?.TestAccuracy ?? double.NaN);
                Number(w, "test_loss", result.Report?.TestLoss ?? double.NaN);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static void Number(System.Text.Json.Utf8JsonWriter w, string name, double x)
    {
        if (double.IsFinite(x)) w.WriteNumber(name, x);
        else w.WriteNull(name);
    }
}
