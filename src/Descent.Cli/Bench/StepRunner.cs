using System.Diagnostics;
using Descent.Autograd;
using Descent.Data;
using Descent.Nn;
using Descent.Nn.Losses;
using Descent.Optim;
using Descent.Problems;
using Descent.Tensors;

namespace Descent.Cli.Bench;

/// <summary>
/// Trains a problem step by step the way the trainer does (a <see cref="TensorScope"/> per step, shuffled
/// batches of fixed size, <c>optimizer.Step(objective)</c>: forward, backward into the flat gradient buffer, the
/// update) and times each phase of each step (the objective's forward and backward times; the optimizer's share
/// is what remains of the step). Windows of steps are timed as units so that the caller can interleave them
/// with the PyTorch peer's windows.
/// </summary>
internal sealed class StepRunner
{
    private readonly Problem problem;
    private readonly Dataset train;
    private readonly Optimizer optimizer;
    private readonly Objective objective;
    private readonly ShuffledSampler sampler;
    private IEnumerator<int[]> batches;
    private int epoch;

    /// <summary>Builds the model (seed 0) and the optimizer of <paramref name="c"/> over <paramref name="train"/>.</summary>
    public StepRunner(BenchCase c, Problem problem, Dataset train, int batchSize)
    {
        this.problem = problem;
        this.train = train;
        Model = problem.BuildModel(0);
        optimizer = OptimizerFactory.Create(c.Optimizer, c.Settings);
        optimizer.Init(Model.Flat);
        objective = new Objective(Model, problem.Loss);
        BatchSize = Math.Min(batchSize, train.Count);
        sampler = new ShuffledSampler(train.Count, BatchSize, seed: 0, dropLast: true);
        batches = sampler.Epoch(0).GetEnumerator();
    }

    /// <summary>The model being trained.</summary>
    public Module Model { get; }

    /// <summary>Examples per step.</summary>
    public int BatchSize { get; }

    /// <summary>Steps in one epoch over the training set.</summary>
    public int StepsPerEpoch => sampler.BatchesPerEpoch(0);

    /// <summary>The loss of the last step.</summary>
    public double LastLoss { get; private set; } = double.NaN;

    /// <summary>Runs <paramref name="steps"/> steps; returns the mean time per step, by phase.</summary>
    public PhaseTimes Window(int steps)
    {
        var sum = default(PhaseTimes);
        for (int i = 0; i < steps; i++) sum += Step();
        return sum / Math.Max(1, steps);
    }

    private PhaseTimes Step()
    {
        long t0 = Stopwatch.GetTimestamp(), t1, t2;
        using (TensorScope.Begin())
        {
            var batch = train.Batch(NextIndices());
            var targets = batch.Labels is { } labels ? Targets.FromClasses(labels) : Targets.FromTensor(batch.Targets!);
            objective.SetBatch(batch.Inputs, targets);
            t1 = Stopwatch.GetTimestamp();
            var result = optimizer.Step(objective);
            LastLoss = result.Loss;
            t2 = Stopwatch.GetTimestamp();
        }
        double s = Stopwatch.Frequency;
        double forward = objective.LastForwardTime.TotalSeconds, backward = objective.LastBackwardTime.TotalSeconds;
        double optimizing = Math.Max(0, (t2 - t1) / s - forward - backward);
        return new PhaseTimes((Stopwatch.GetTimestamp() - t0) / s, forward, backward, optimizing, (t1 - t0) / s);
    }

    private int[] NextIndices()
    {
        if (!batches.MoveNext())
        {
            batches = sampler.Epoch(++epoch).GetEnumerator();
            batches.MoveNext();
        }
        return batches.Current;
    }
}
