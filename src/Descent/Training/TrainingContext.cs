using Descent.Data;
using Descent.Distributed;
using Descent.Nn;
using Descent.Optim;
using Descent.Tensors;

namespace Descent.Training;

/// <summary>
/// The trainer's state as callbacks see it: the parts of the run (model, optimizer, data), where the loop
/// is (epoch, step) and the metrics so far. Callbacks may read everything and change the parameters'
/// values (e.g. restore the best weights at the end), but not the loop position.
/// </summary>
public sealed class TrainingContext
{
    private readonly List<EpochMetrics> history = [];

    internal TrainingContext(TrainingParts parts, TrainerOptions options)
    {
        Parts = parts;
        Options = options;
    }

    /// <summary>Model, objective, optimizer, sampler and data.</summary>
    public TrainingParts Parts { get; }

    /// <summary>The loop's options.</summary>
    public TrainerOptions Options { get; }

    /// <summary>The model.</summary>
    public Module Model => Parts.Model;

    /// <summary>The optimizer.</summary>
    public Optimizer Optimizer => Parts.Optimizer;

    /// <summary>The train, validation and test sets.</summary>
    public DataSplits Data => Parts.Data;

    /// <summary>Number of epochs the run is to take.</summary>
    public int Epochs => Options.Epochs;

    /// <summary>The epoch in progress (0-based); equals <see cref="Epochs"/> after the last one.</summary>
    public int Epoch { get; internal set; }

    /// <summary>Steps taken so far (skipped steps included).</summary>
    public long GlobalStep { get; internal set; }

    /// <summary>The last step's result (default before the first step).</summary>
    public StepInfo LastStep { get; internal set; }

    /// <summary>The metrics of every finished epoch, in order.</summary>
    public IReadOnlyList<EpochMetrics> History => history;

    /// <summary>Wall-clock seconds of the run so far (across resumptions).</summary>
    public double Seconds { get; internal set; }

    /// <summary>The processes training together (<see cref="Communicator.Single"/> for one process).</summary>
    public Communicator Communicator => Options.Communicator ?? Communicator.Single;

    /// <summary>The run directory, or null when this process writes no files (no directory was given, or it is
    /// not rank 0 of a data-parallel job).</summary>
    public string? RunDirectory => Communicator.IsRoot ? Options.RunDirectory : null;

    /// <summary>
    /// The flat weights the last evaluation measured: the live parameters, or the Polyak average when
    /// evaluation used it (then this is the optimizer's average buffer, valid while it is swapped out).
    /// </summary>
    public Tensor EvaluatedParameters { get; internal set; } = null!;

    /// <summary>Set by a callback that replaced the parameters with the weights the summary should report
    /// (e.g. the best ones): the trainer then writes them as the final model as they are.</summary>
    public int? RestoredEpoch { get; set; }

    /// <summary>The remaining number of steps in the run (for progress estimates).</summary>
    public long RemainingSteps(int stepInEpoch)
    {
        long n = -stepInEpoch;
        for (int e = Epoch; e < Epochs; e++) n += Parts.Sampler.BatchesPerEpoch(e);
        return Math.Max(0, n);
    }

    internal void SetHistory(IEnumerable<EpochMetrics> rows)
    {
        history.Clear();
        history.AddRange(rows);
    }

    internal void Add(EpochMetrics row) => history.Add(row);
}
