using Descent.Data;
using Descent.Distributed;
using Descent.Nn;

namespace Descent.Training;

/// <summary>
/// The trainer's side of data parallelism (<see cref="TrainerOptions.Communicator"/>): each process takes its
/// shard of every batch and steps on the averaged objective; the decision to stop after a step is taken
/// together; evaluation is sharded (each process evaluates a contiguous part of the validation and test sets
/// and the sums are all-reduced, so every process sees the same metrics and makes the same callback
/// decisions); buffers are averaged and the parameters checked to be identical before evaluating or saving;
/// only rank 0 writes files (<see cref="TrainingContext.RunDirectory"/>).
/// </summary>
public sealed partial class Trainer
{
    private readonly DataParallel? parallel;

    private DataParallel? CreateParallel()
    {
        if (options.Communicator is not { } comm) return null;
        DataParallel.CheckBatches(parts.Sampler, 0, options.Epochs, comm.Size);
        return new DataParallel(comm, parts.Objective, options.SyncBatchNorm);
    }

    /// <summary>The objective the optimizer steps on: the averaged one under data parallelism.</summary>
    private IObjective StepObjective => parallel?.Objective ?? (IObjective)parts.Objective;

    /// <summary>Replaces <paramref name="indices"/> by this process's shard; the returned scope tells per-example
    /// random layers (dropout) where the shard lies in the global batch.</summary>
    private IDisposable? LocalShard(ref int[] indices)
    {
        if (parallel is null) return null;
        indices = parallel.Shard(indices, out var shard);
        return BatchShard.Use(shard);
    }

    /// <summary>Whether to stop after this step: a cancellation on any process stops every process at the same
    /// step (one small all-reduce per step).</summary>
    private bool Cancelled(CancellationToken cancellation) =>
        parallel is null ? cancellation.IsCancellationRequested : parallel.Communicator.Any(cancellation.IsCancellationRequested);

    /// <summary>Loss and accuracy on <paramref name="data"/>: this process's contiguous part, summed over all.</summary>
    private Evaluation Evaluate(Dataset data)
    {
        bool accuracy = parts.IsClassification;
        if (parallel is null) return Evaluator.Evaluate(parts.Model, parts.Objective.Loss, data, accuracy, options.EvalBatchSize);
        var comm = parallel.Communicator;
        var (offset, count) = DataParallel.ShardOf(data.Count, comm.Rank, comm.Size);
        var part = Evaluator.Sums(parts.Model, parts.Objective.Loss, data, accuracy, options.EvalBatchSize, offset, count);
        Span<double> sums = [part.LossSum, part.Correct];
        comm.AllReduce(sums);
        int n = data.Count;
        bool labelled = accuracy && data.Labels is not null;
        return n == 0 ? new Evaluation(double.NaN, double.NaN, 0) : new Evaluation(sums[0] / n, labelled ? sums[1] / n : double.NaN, n);
    }

    /// <summary>Averages buffers (running statistics) over the processes and checks that every process holds
    /// rank 0's parameters, before an evaluation or a checkpoint.</summary>
    private void SynchronizeBuffers()
    {
        if (parallel is null) return;
        parallel.AverageBuffers(parts.Model);
        parallel.EnsureSame(parts.Model.Flat.Values, $"at step {context.GlobalStep}");
    }

    /// <summary>Refuses a checkpoint written by another number of processes.</summary>
    private void CheckProcesses(int saved, string where)
    {
        int now = context.Communicator.Size;
        if (saved != now)
            throw new ConfigurationException(
                $"{where} was written by {Processes(saved)} and this run has {Processes(now)}; resume with the same number (mpirun -np {saved}), since the shards of every batch, and so the result, depend on it.");
    }

    private static string Processes(int n) => n == 1 ? "1 process" : $"{n} processes";
}
