using System.Diagnostics;
using Descent.Data;
using Descent.Nn;
using Descent.Nn.Losses;
using Descent.Optim;
using Descent.Problems;
using Descent.Tensors;
using Descent.Training;

namespace Descent.Cli.Bench;

/// <summary>
/// Wall time from the start of training (model built, data loaded) until the test accuracy, evaluated after
/// every epoch (evaluation time included), first reaches the case's target: the trainer's step
/// (<see cref="Optimizer.Step(IObjective)"/> on an <see cref="Objective"/>) on shuffled batches of 128 over all
/// 60,000 training images.
/// </summary>
internal static class TimeToAccuracy
{
    /// <summary>Trains until the target or <paramref name="maxEpochs"/>; seconds, epochs run and the last test accuracy.</summary>
    public static (double Seconds, int Epochs, double Accuracy) Run(BenchCase c, DataSplits data, int maxEpochs, int limitTrain)
    {
        var problem = ProblemCatalog.Create(c.Problem);
        var train = limitTrain > 0 && limitTrain < data.Train.Count ? data.Train.Subset(Enumerable.Range(0, limitTrain).ToArray()) : data.Train;
        var clock = Stopwatch.StartNew();
        var model = problem.BuildModel(0);
        var optimizer = OptimizerFactory.Create(c.Optimizer, c.Settings);
        optimizer.Init(model.Flat);
        var objective = new Objective(model, problem.Loss, [.. problem.Penalties]);
        var sampler = new ShuffledSampler(train.Count, problem.DefaultBatchSize, seed: 0);
        double accuracy = double.NaN;
        for (int epoch = 0; epoch < maxEpochs; epoch++)
        {
            foreach (var indices in sampler.Epoch(epoch))
            {
                using var scope = TensorScope.Begin();
                var batch = train.Batch(indices);
                objective.SetBatch(batch.Inputs, Targets.FromClasses(batch.Labels!));
                optimizer.Step(objective);
            }
            accuracy = Evaluator.Evaluate(model, problem.Loss, data.Test, accuracy: true).Accuracy;
            if (accuracy >= c.TargetAccuracy) return (clock.Elapsed.TotalSeconds, epoch + 1, accuracy);
        }
        return (clock.Elapsed.TotalSeconds, maxEpochs, accuracy);
    }
}
