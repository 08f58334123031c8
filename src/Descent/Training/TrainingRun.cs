using System.Globalization;
using Descent.Distributed;

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
/// <param name="Communicator">The processes training together (data parallelism); null: this process alone.</param>
/// <param name="Callbacks">More callbacks to run after the run's own (e.g. a comparison's progress display).</param>
public sealed record RunIo(string RunDirectory, bool Resume, bool Overwrite, TextWriter Output, bool Interactive = false, string? ResumeCommand = null,
    bool ShowGroups = false, string? ResumeFrom = null, Communicator? Communicator = null, IReadOnlyList<ITrainingCallback>? Callbacks = null);

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

    /// <summary>Runs (or resumes) <paramref name="spec"/>. With several processes (<see cref="RunIo.Communicator"/>)
    /// every process calls this with the same arguments: each checks the spec and the directory and loads the data,
    /// the processes agree that all of them could (else the first failing one reports and all stop), then they
    /// train together; only rank 0 prints and writes.</summary>
    /// <exception cref="ConfigurationException">Invalid spec; the directory already holds a run; nothing to
    /// resume; the checkpoint is from a different run.</exception>
    /// <exception cref="DataFormatException">The data or the checkpoint cannot be read, or the checkpoint is damaged
    /// (the message offers the newest earlier checkpoint that verifies).</exception>
    /// <exception cref="PeerFailedException">Another process could not set the run up (it reported why).</exception>
    /// <exception cref="Optim.NonFiniteException">The loss or gradient became non-finite with <c>nonfinite=halt</c>.</exception>
    public static TrainingResult Execute(RunSpec spec, RunIo io, CancellationToken cancellation = default)
    {
        var comm = io.Communicator ?? Communicator.Single;
        var o = comm.IsRoot ? io.Output : TextWriter.Null;
        var progress = new ConsoleProgress(o, io.Interactive && comm.IsRoot);
        // Rank 0 prepares the directory first (removes an overwritten run, moves a damaged checkpoint aside);
        // then every process reads the checkpoint and builds the run. Each phase ends with an agreement.
        ResolvedRun? resolved = null;
        Checkpoint? checkpoint = null;
        Agree(comm, () =>
        {
            resolved = spec.Resolve();
            if (comm.IsRoot) checkpoint = PrepareDirectory(resolved, io, comm, o);
        });
        RunSetup? setup = null;
        Trainer? trainer = null;
        Agree(comm, () =>
        {
            if (!comm.IsRoot) checkpoint = PrepareDirectory(resolved!, io, comm, o);
            (setup, trainer) = Build(resolved!, io, comm, o, progress, checkpoint);
        });
        try
        {
            var result = trainer!.Run(cancellation);
            progress.Clear();
            Report(result, io, o);
            return result;
        }
        finally
        {
            progress.Clear();
            foreach (var c in setup!.Callbacks.OfType<IDisposable>()) c.Dispose();
        }
    }

    private const string AgreedKey = "descent.every_process_stops";

    /// <summary>True when <paramref name="e"/> ended every process of a data-parallel job at the same point (the
    /// run could not be set up somewhere), so each can leave normally; any other failure of one process must
    /// end the job (<see cref="Communicator.Abort"/>), since the others wait for it.</summary>
    public static bool EveryProcessStops(Exception e) => e is PeerFailedException || e.Data.Contains(AgreedKey);

    /// <summary>Runs <paramref name="phase"/> on every process; with several, they then agree: if it failed anywhere,
    /// the lowest failing rank rethrows its error (marked so that the command leaves normally) and the others
    /// throw <see cref="PeerFailedException"/>.</summary>
    private static void Agree(Communicator comm, Action phase)
    {
        Exception? failure = null;
        try
        {
            phase();
        }
        catch (Exception e) when (comm.Size > 1)
        {
            failure = e;
        }
        if (comm.Size == 1) return;
        int first = comm.FirstWhere(failure is not null);
        if (first == comm.Rank)
        {
            failure!.Data[AgreedKey] = true;
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
        if (first >= 0) throw new PeerFailedException(first, comm.Size);
    }

    /// <summary>Checks the spec and the directory: loads the checkpoint to resume from, or clears a run that is
    /// overwritten (rank 0 only), or refuses to clobber one.</summary>
    private static Checkpoint? PrepareDirectory(ResolvedRun resolved, RunIo io, Communicator comm, TextWriter o)
    {
        string dir = io.RunDirectory;
        var latest = CheckpointFile.LatestPath(dir);
        if (io.Resume || io.ResumeFrom is not null)
        {
            if (io.Overwrite) throw new ConfigurationException("--resume and --overwrite contradict each other; give one of them.");
            var checkpoint = ResumeCheckpoint.Load(dir, io.ResumeFrom, o);
            CheckSameRun(checkpoint, resolved.Spec, dir);
            return checkpoint;
        }
        if (File.Exists(latest) || File.Exists(Path.Combine(dir, RunSummary.FileName)))
        {
            if (!io.Overwrite)
                throw new ConfigurationException($"{dir} already holds a run; add --resume to continue it, --overwrite to start over, or choose another --out.");
            if (comm.IsRoot)
            {
                foreach (var f in RunFiles) File.Delete(Path.Combine(dir, f));
                foreach (var f in Directory.GetFiles(dir, "checkpoint-epoch*.safetensors")) File.Delete(f);
            }
        }
        return null;
    }

    private static (RunSetup, Trainer) Build(ResolvedRun resolved, RunIo io, Communicator comm, TextWriter o, ConsoleProgress progress, Checkpoint? checkpoint)
    {
        string dir = io.RunDirectory;
        var latest = CheckpointFile.LatestPath(dir);
        var setup = resolved.Build(dir, [progress, .. io.Callbacks ?? []], comm.Size > 1 ? comm : null);
        var data = setup.Parts.Data;
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"data: {data.Source}; using {data.Train.Count:N0} train / {data.Validation.Count:N0} validation / {data.Test.Count:N0} test examples"));
        if (data.IsSample) o.WriteLine("note: the full Fashion-MNIST set was not found, so this run uses the small bundled sample; results differ from the full data set.");
        var opt = setup.Parts.Optimizer;
        string settings = string.Join(" ", opt.ExplicitSettings.Select(kv => kv.Key + "=" + kv.Value));
        int epochs = setup.Spec.Epochs!.Value;
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"run: {setup.Problem.Name} ({setup.Parts.Model.ParameterCount:N0} parameters), {opt.Name}{(settings.Length > 0 ? " " + settings : "")}, schedule {opt.Schedule.Spec}, {epochs} epoch{(epochs == 1 ? "" : "s")}, batch {setup.Parts.Sampler.BatchSize(0)} ({setup.Parts.Sampler.Kind}), seed {setup.Spec.Seed} -> {dir}"));
        if (comm.Size > 1)
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"data parallel: {comm.Description}; each takes 1/{comm.Size} of every batch; gradients averaged by one all-reduce of {setup.Parts.Model.ParameterCount:N0} values per step; batch normalization {(setup.Spec.SyncBatchNorm ? "over the global batch" : "per process")}; evaluation sharded; rank 0 writes {dir}"));
        if (io.ShowGroups || setup.Spec.Groups.Count > 0) ShowGroups(setup, o);
        var trainer = setup.CreateTrainer();
        if (checkpoint is not null)
        {
            trainer.Restore(checkpoint);
            o.WriteLine($"resuming {dir} at epoch {trainer.Context.Epoch + 1}, step {trainer.Context.GlobalStep}");
        }
        comm.FaultHint = $"The last checkpoint, {latest}, is intact; continue with the same command and --resume.";
        return (setup, trainer);
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

    private static void Report(TrainingResult r, RunIo io, TextWriter o)
    {
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
