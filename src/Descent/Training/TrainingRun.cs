using System.Globalization;

namespace Descent.Training;

/// <summary>How <see cref="TrainingRun.Execute"/> treats the run directory and where it reports.</summary>
/// <param name="RunDirectory">The run directory (<c>--out</c>).</param>
/// <param name="Resume">Continue from the directory's checkpoint (<c>--resume</c>).</param>
/// <param name="Overwrite">Start over in a directory that already holds a run (<c>--overwrite</c>).</param>
/// <param name="Output">Where progress and messages go.</param>
/// <param name="Interactive">True on a terminal: a progress bar redrawn in place.</param>
/// <param name="ResumeCommand">The command that resumes this run, shown when it is interrupted.</param>
/// <param name="ShowGroups">Print the optimizer's parameter groups (parameter, shape, group, lr, weight_decay) at the
/// start; they are printed anyway when the spec defines groups.</param>
/// <param name="ResumeFrom">Resume from this checkpoint file instead of the directory's latest (<c>--resume-from</c>,
/// e.g. <c>checkpoint-prev.safetensors</c> when the latest is damaged); implies <paramref name="Resume"/>.</param>
/// <param name="Callbacks">More callbacks to run after the run's own (e.g. a comparison's progress display).</param>
public sealed record RunIo(string RunDirectory, bool Resume, bool Overwrite, TextWriter Output, bool Interactive = false, string? ResumeCommand = null,
    bool ShowGroups = false, string? ResumeFrom = null, IReadOnlyList<ITrainingCallback>? Callbacks = null);

/// <summary>
/// A training run in a run directory, as <c>descent train</c> does it: checks the spec, refuses to clobber
/// an existing run (unless told to overwrite), or resumes from its checkpoint after checking that it is the
/// same run (same problem, optimizer, settings, …), prints where the data came from, trains with a progress
/// display, and reports how it ended.
/// </summary>
public static class TrainingRun
{
    /// <summary>The files a run writes (removed by <see cref="RunIo.Overwrite"/>).</summary>
    public static IReadOnlyList<string> RunFiles { get; } =
        [CheckpointFile.LatestFileName, MetricsCsv.FileName, RunSummary.FileName, GradientNormLog.FileName, CurvatureMonitor.FileName, Trainer.ModelFileName,
         CheckpointFile.PreviousFileName, ResumeCheckpoint.DamagedFileName];

    /// <summary>Runs (or resumes) <paramref name="spec"/>.</summary>
    /// <exception cref="ConfigurationException">Invalid spec; the directory already holds a run; nothing to
    /// resume; the checkpoint is from a different run.</exception>
    /// <exception cref="DataFormatException">The data or the checkpoint cannot be read, or the checkpoint is damaged
    /// (the message offers the newest earlier checkpoint that verifies).</exception>
    /// <exception cref="Optim.NonFiniteException">The loss or gradient became non-finite with <c>nonfinite=halt</c>.</exception>
    public static TrainingResult Execute(RunSpec spec, RunIo io, CancellationToken cancellation = default)
    {
        var resolved = spec.Resolve();
        string dir = io.RunDirectory;
        var latest = CheckpointFile.LatestPath(dir);
        Checkpoint? checkpoint = null;
        if (io.Resume || io.ResumeFrom is not null)
        {
            if (io.Overwrite) throw new ConfigurationException("--resume and --overwrite contradict each other; give one of them.");
            checkpoint = ResumeCheckpoint.Load(dir, io.ResumeFrom, io.Output);
            CheckSameRun(checkpoint, resolved.Spec, dir);
        }
        else if (File.Exists(latest) || File.Exists(Path.Combine(dir, RunSummary.FileName)))
        {
            if (!io.Overwrite)
                throw new ConfigurationException($"{dir} already holds a run; add --resume to continue it, --overwrite to start over, or choose another --out.");
            foreach (var f in RunFiles) File.Delete(Path.Combine(dir, f));
            foreach (var f in Directory.GetFiles(dir, "checkpoint-epoch*.safetensors")) File.Delete(f);
        }

        var progress = new ConsoleProgress(io.Output, io.Interactive);
        var setup = resolved.Build(dir, [progress, .. io.Callbacks ?? []]);
        var o = io.Output;
        var data = setup.Parts.Data;
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"data: {data.Source}; using {data.Train.Count:N0} train / {data.Validation.Count:N0} validation / {data.Test.Count:N0} test examples"));
        if (data.IsSample) o.WriteLine("note: the full Fashion-MNIST set was not found, so this run uses the small bundled sample; results differ from the full data set.");
        var opt = setup.Parts.Optimizer;
        string settings = string.Join(" ", opt.ExplicitSettings.Select(kv => kv.Key + "=" + kv.Value));
        int epochs = setup.Spec.Epochs!.Value;
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"run: {setup.Problem.Name} ({setup.Parts.Model.ParameterCount:N0} parameters), {opt.Name}{(settings.Length > 0 ? " " + settings : "")}, schedule {opt.Schedule.Spec}, {epochs} epoch{(epochs == 1 ? "" : "s")}, batch {setup.Parts.Sampler.BatchSize(0)} ({setup.Parts.Sampler.Kind}), seed {setup.Spec.Seed} -> {dir}"));
        if (io.ShowGroups || setup.Spec.Groups.Count > 0) ShowGroups(setup, o);
        var trainer = setup.CreateTrainer();
        if (checkpoint is not null)
        {
            trainer.Restore(checkpoint);
            o.WriteLine($"resuming {dir} at epoch {trainer.Context.Epoch + 1}, step {trainer.Context.GlobalStep}");
        }
        try
        {
            var result = trainer.Run(cancellation);
            progress.Clear();
            Report(result, io);
            return result;
        }
        finally
        {
            progress.Clear();
            foreach (var c in setup.Callbacks.OfType<IDisposable>()) c.Dispose();
        }
    }

    private static void ShowGroups(RunSetup setup, TextWriter o)
    {
        var groups = setup.Parts.Optimizer.Groups;
        o.WriteLine("parameter groups:");
        o.Write(Optim.ParameterGroups.Table(groups));
        var rules = setup.Run.Groups.Rules;
        foreach (var g in groups.Skip(1).Where(g => g.Slots.Count == 0))
            o.WriteLine($"warning: parameter group '{g.Name}' ({rules.FirstOrDefault(r => r.Name == g.Name)?.Selector.Text}) holds no parameter of {setup.Problem.Name} (its selector matches none, or earlier groups took them).");
    }

    private static void CheckSameRun(Checkpoint checkpoint, RunSpec spec, string dir)
    {
        var state = checkpoint.RunStateAs<RunState>();
        var saved = state.Spec ?? throw new DataFormatException($"{checkpoint.Source}: the checkpoint does not say which run it belongs to; it cannot be resumed with descent train.");
        if (saved.Problem != spec.Problem || saved.Optimizer != spec.Optimizer)
            throw new ConfigurationException($"The checkpoint in {dir} is from problem {saved.Problem} with optimizer {saved.Optimizer}, not {spec.Problem} with {spec.Optimizer}; resume with --problem {saved.Problem} --optimizer {saved.Optimizer}, or choose another --out.");
        var diffs = saved.Differences(spec);
        if (diffs.Count > 0)
            throw new ConfigurationException($"The checkpoint in {dir} is from a different run ({string.Join("; ", diffs)}, checkpoint vs now); resume with the original options or choose another --out.");
    }

    private static void Report(TrainingResult r, RunIo io)
    {
        var o = io.Output;
        string dir = io.RunDirectory;
        if (r.SkippedSteps > 0) o.WriteLine($"warning: {r.SkippedSteps} steps were skipped because the loss or gradient was not finite (nonfinite=skip).");
        switch (r.Status)
        {
            case TrainingStatus.Interrupted:
            case TrainingStatus.Paused:
                o.WriteLine($"{(r.Status == TrainingStatus.Interrupted ? "Interrupted" : "Paused")}: {r.Message}; checkpoint saved to {CheckpointFile.LatestPath(dir)}.");
                o.WriteLine($"Resume with: {io.ResumeCommand ?? "descent train <the same options> --resume"}");
                return;
            case TrainingStatus.Stopped:
                o.WriteLine($"Stopped early: {r.Message}.");
                break;
        }
        var m = r.Report;
        if (m is not null)
        {
            string acc = double.IsNaN(m.TestAccuracy) ? "" : string.Create(CultureInfo.InvariantCulture, $", test_accuracy {m.TestAccuracy:F4}");
            string which = r.RestoredEpoch is int e ? $" (best epoch {e}, weights restored)" : "";
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"test_loss {m.TestLoss:F4}{acc}{which}; {r.TotalSteps} steps in {r.Seconds:F1} s"));
        }
        o.WriteLine($"wrote {Path.Combine(dir, RunSummary.FileName)}, {MetricsCsv.FileName}, {CheckpointFile.LatestFileName}, {Trainer.ModelFileName}");
    }
}
