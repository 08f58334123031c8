using Descent.Nn;
using System.Diagnostics;
using Descent.Nn.Losses;
using Descent.Optim;
using Descent.Tensors;

namespace Descent.Training;

/// <summary>
/// The training loop: epochs over a sampler, one optimizer step per mini-batch, evaluation on the
/// validation and test sets after each epoch, callbacks, and the run directory (<c>metrics.csv</c>,
/// <c>summary.json</c>, checkpoints, the final <c>model.safetensors</c>).
/// <para>A step runs inside a <see cref="TensorScope"/>: the batch is gathered, the objective (mean loss +
/// penalties) is set to it, and the optimizer steps — update rules after the objective's forward and backward
/// pass, search methods evaluating the objective themselves (<see cref="Optimizer.Step(IObjective)"/> covers
/// both). Every temporary tensor returns to the pool when the step ends, so a steady-state step allocates
/// no large arrays (<see cref="TrainingResult.BytesAllocatedPerStep"/> measures it).</para>
/// <para>Checkpoints are taken at the end of every epoch, every <see cref="TrainerOptions.CheckpointEvery"/>
/// steps, on cancellation (Ctrl-C: after the current step) and when pausing at
/// <see cref="TrainerOptions.MaxSteps"/>. <see cref="Restore"/> continues a run bit for bit
/// (docs/architecture.md, "No process-wide knobs that change results"): parameters, buffers, optimizer state, sampler cursor, random streams, schedule and
/// callback state are all restored.</para>
/// </summary>
public sealed partial class Trainer
{
    private readonly TrainingParts parts;
    private readonly TrainerOptions options;
    private readonly List<ITrainingCallback> callbacks;
    private readonly TrainingContext context;
    private double epochLossSum;
    private int epochLossCount;
    private long measuredBytes, measuredSteps, processSteps;
    private string? stoppedBecause;

    /// <summary>Creates the loop over <paramref name="parts"/>.</summary>
    /// <exception cref="ConfigurationException">The parts do not fit together, the options are invalid, or two
    /// callbacks share a name.</exception>
    public Trainer(TrainingParts parts, TrainerOptions options, IEnumerable<ITrainingCallback>? callbacks = null)
    {
        ArgumentNullException.ThrowIfNull(parts);
        ArgumentNullException.ThrowIfNull(options);
        parts.Validate();
        if (options.Epochs < 0) throw new ConfigurationException($"The number of epochs must be ≥ 0, got {options.Epochs}.");
        if (options.CheckpointEvery < 0) throw new ConfigurationException($"--checkpoint-every must be ≥ 0 steps, got {options.CheckpointEvery}.");
        if (options.EvalBatchSize < 1) throw new ConfigurationException($"The evaluation batch size must be ≥ 1, got {options.EvalBatchSize}.");
        this.parts = parts;
        this.options = options;
        this.callbacks = [.. callbacks ?? []];
        var dup = this.callbacks.GroupBy(c => c.Name).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new ConfigurationException($"Two callbacks are named '{dup.Key}'; callback names must be unique.");
        context = new TrainingContext(parts, options) { EvaluatedParameters = parts.Model.Flat.Values };
        parallel = CreateParallel();
    }

    /// <summary>The state callbacks see (epoch, step, metrics so far).</summary>
    public TrainingContext Context => context;

    /// <summary>The callbacks, in the order they run.</summary>
    public IReadOnlyList<ITrainingCallback> Callbacks => callbacks;

    /// <summary>Replaces the way checkpoints are written (tests simulate failures with it).</summary>
    internal Action<string, Checkpoint, int?> SaveCheckpoint { get; set; } =
        (dir, checkpoint, epoch) => CheckpointFile.SaveLatest(dir, checkpoint, epoch);

    /// <summary>
    /// Trains until the last epoch, a callback's stop, <see cref="TrainerOptions.MaxSteps"/> or
    /// cancellation (checked after every step), and writes the run directory.
    /// </summary>
    /// <exception cref="NonFiniteException">A non-finite loss or gradient with <c>nonfinite=halt</c> (the summary
    /// is written first, with status <c>halted</c>).</exception>
    public TrainingResult Run(CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        double secondsBefore = context.Seconds;
        double Now() => secondsBefore + clock.Elapsed.TotalSeconds;
        if (context.RunDirectory is { } dir) Directory.CreateDirectory(dir);
        foreach (var c in callbacks) c.OnTrainBegin(context);
        var status = TrainingStatus.Completed;
        string? message = null;
        try
        {
            if (stoppedBecause is not null) { status = TrainingStatus.Stopped; message = stoppedBecause; }
            else (status, message) = Loop(Now, cancellation);
        }
        catch (NonFiniteException e)
        {
            context.Seconds = Now();
            var halted = Result(TrainingStatus.Halted, e.Message);
            if (context.RunDirectory is { } hdir) RunSummary.Write(hdir, halted, context);
            throw;
        }
        context.Seconds = Now();
        if (status is TrainingStatus.Completed or TrainingStatus.Stopped)
        {
            foreach (var c in callbacks) c.OnTrainEnd(context);
            WriteFinalModel();
        }
        var result = Result(status, message);
        if (context.RunDirectory is { } rdir) RunSummary.Write(rdir, result, context);
        return result;
    }

    private (TrainingStatus, string?) Loop(Func<double> now, CancellationToken cancellation)
    {
        var sampler = parts.Sampler;
        for (int epoch = context.Epoch; epoch < options.Epochs; epoch++)
        {
            context.Epoch = epoch;
            int steps = sampler.BatchesPerEpoch(epoch);
            foreach (var indices in sampler.Epoch(epoch))
            {
                var info = Step(indices, epoch, steps);
                context.Seconds = now();
                string? stop = null;
                foreach (var c in callbacks)
                    if (c.OnStepEnd(context, info) == CallbackAction.Stop) stop ??= $"stopped by {c.Name} at step {info.GlobalStep}";
                if (stop is not null)
                {
                    stoppedBecause = stop;
                    Save();
                    return (TrainingStatus.Stopped, stop);
                }
                // (the epoch's last step is saved at the end of the epoch, after its evaluation)
                if (options.CheckpointEvery > 0 && context.GlobalStep % options.CheckpointEvery == 0 && info.StepInEpoch < steps) Save();
                if (Cancelled(cancellation))
                {
                    Save();
                    return (TrainingStatus.Interrupted, $"interrupted after step {context.GlobalStep} (epoch {epoch + 1}, step {info.StepInEpoch} of {steps})");
                }
                if (context.GlobalStep >= options.MaxSteps)
                {
                    Save();
                    return (TrainingStatus.Paused, $"paused after {context.GlobalStep} steps (--max-steps)");
                }
            }
            string? stopped = EndEpoch(epoch, now());
            if (stopped is not null) return (TrainingStatus.Stopped, stopped);
            if (Cancelled(cancellation))
                return (TrainingStatus.Interrupted, $"interrupted after epoch {epoch + 1} (step {context.GlobalStep})");
        }
        return (TrainingStatus.Completed, null);
    }

    private StepInfo Step(int[] indices, int epoch, int stepsInEpoch)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        StepResult r;
        double loss;
        using (TensorScope.Begin())
        {
            using var shard = LocalShard(ref indices);
            var batch = parts.Data.Train.Batch(indices);
            var inputs = batch.Inputs;
            foreach (var c in callbacks) inputs = c.OnTrainBatch(context, inputs);
            parts.Objective.SetBatch(inputs, batch.Labels is { } labels ? Targets.FromClasses(labels)
                : Targets.FromTensor(batch.Targets ?? throw new ConfigurationException($"{parts.Data.Train.Name} has neither labels nor targets.")));
            r = parts.Optimizer.Step(StepObjective);
            loss = parallel?.Objective.LastLoss ?? parts.Objective.LastLoss;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        if (++processSteps > options.AllocationWarmupSteps) { measuredBytes += allocated; measuredSteps++; }
        context.GlobalStep++;
        if (!r.Skipped && double.IsFinite(loss)) { epochLossSum += loss; epochLossCount++; }
        var info = new StepInfo(epoch, context.GlobalStep, parts.Sampler.State.Cursor, stepsInEpoch, loss, r);
        context.LastStep = info;
        return info;
    }

    /// <summary>Evaluates, records the epoch's metrics, runs the epoch callbacks and checkpoints; returns a
    /// stop reason or null.</summary>
    private string? EndEpoch(int epoch, double seconds)
    {
        var (val, test) = EvaluateSplits();
        var row = new EpochMetrics(epoch + 1, context.GlobalStep,
            epochLossCount > 0 ? epochLossSum / epochLossCount : double.NaN,
            val.Loss, val.Accuracy, test.Loss, test.Accuracy, parts.Optimizer.LearningRate, seconds);
        context.Add(row);
        epochLossSum = 0;
        epochLossCount = 0;
        context.Epoch = epoch + 1;
        string? stop = null;
        foreach (var c in callbacks)
            if (c.OnEpochEnd(context, row) == CallbackAction.Stop) stop ??= $"stopped by {c.Name} after epoch {epoch + 1}";
        stoppedBecause = stop;
        if (context.RunDirectory is { } dir) MetricsCsv.Write(dir, context.History);
        Save(options.KeepEpochCheckpoints ? epoch + 1 : null);
        return stop;
    }

    /// <summary>Validation and test metrics of the weights callbacks choose to evaluate (e.g. the Polyak average).</summary>
    private (Evaluation Val, Evaluation Test) EvaluateSplits()
    {
        SynchronizeBuffers();
        context.EvaluatedParameters = parts.Model.Flat.Values;
        var scopes = new List<IDisposable>();
        try
        {
            foreach (var c in callbacks)
                if (c.OnEvaluate(context) is { } s) scopes.Add(s);
            return (Evaluate(parts.Data.Validation), Evaluate(parts.Data.Test));
        }
        finally
        {
            for (int i = scopes.Count - 1; i >= 0; i--) scopes[i].Dispose();
        }
    }

    /// <summary>Writes <c>model.safetensors</c>: the weights the summary reports (restored best, else the
    /// evaluated ones, e.g. the Polyak average).</summary>
    private void WriteFinalModel()
    {
        if (context.RunDirectory is not { } dir) return;
        var scopes = new List<IDisposable>();
        try
        {
            if (context.RestoredEpoch is null)
                foreach (var c in callbacks)
                    if (c.OnEvaluate(context) is { } s) scopes.Add(s);
            var model = new Checkpoint { Parameters = parts.Model.StateDict() };
            CheckpointFile.Save(Path.Combine(dir, ModelFileName), model);
        }
        finally
        {
            for (int i = scopes.Count - 1; i >= 0; i--) scopes[i].Dispose();
        }
    }

    /// <summary>The file name of the final model's weights in a run directory.</summary>
    public const string ModelFileName = "model.safetensors";

    private TrainingResult Result(TrainingStatus status, string? message)
    {
        var history = context.History.ToArray();
        EpochMetrics? report = context.RestoredEpoch is int e ? history.FirstOrDefault(m => m.Epoch == e) : history.LastOrDefault();
        return new TrainingResult(status, message, history, options.Monitor, context.GlobalStep, parts.Optimizer.SkippedSteps,
            context.Seconds, measuredSteps > 0 ? (double)measuredBytes / measuredSteps : double.NaN, context.RestoredEpoch, report);
    }
}
