using Descent.Autograd;
using Descent.Data;
using Descent.Nn;
using Descent.Nn.Losses;
using Descent.Tensors;

namespace Descent.Training;

/// <summary>Loss and accuracy of a model on a data set.</summary>
/// <param name="Loss">The mean data loss per example (NaN for an empty set).</param>
/// <param name="Accuracy">The fraction classified correctly, or NaN without labels.</param>
/// <param name="Count">Number of examples.</param>
public readonly record struct Evaluation(double Loss, double Accuracy, int Count);

/// <summary>
/// Evaluates a model in batches, in evaluation mode (dropout off, batch normalization on its running
/// statistics) and without recording gradients; each batch runs in its own <see cref="TensorScope"/>.
/// </summary>
public static class Evaluator
{
    /// <summary>The mean loss and (for labelled sets, when <paramref name="accuracy"/>) the accuracy of
    /// <paramref name="model"/> on <paramref name="data"/>.</summary>
    public static Evaluation Evaluate(Module model, ILoss loss, Dataset data, bool accuracy, int batchSize = 1000)
    {
        int n = data.Count;
        if (n == 0) return new Evaluation(double.NaN, double.NaN, 0);
        var s = Sums(model, loss, data, accuracy, batchSize, 0, n);
        bool labelled = accuracy && data.Labels is not null;
        return new Evaluation(s.LossSum / n, labelled ? (double)s.Correct / n : double.NaN, n);
    }

    /// <summary>The summed loss (batch mean × batch size) and the number classified correctly over rows
    /// <paramref name="offset"/> … <paramref name="offset"/> + <paramref name="count"/> − 1 of
    /// <paramref name="data"/>, in batches of <paramref name="batchSize"/> (a data-parallel process's part).</summary>
    public static (double LossSum, long Correct) Sums(Module model, ILoss loss, Dataset data, bool accuracy, int batchSize, int offset, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((long)offset + count, data.Count, nameof(count));
        bool wasTraining = model.Training;
        model.Eval();
        try
        {
            using var _ = Autodiff.NoGrad();
            double sum = 0;
            long correct = 0;
            bool labelled = accuracy && data.Labels is not null;
            for (int start = offset, end = offset + count; start < end; start += batchSize)
            {
                int rows = Math.Min(batchSize, end - start);
                using var scope = TensorScope.Begin();
                var x = data.Features.Rows(start, rows);
                int[]? labels = data.Labels?.AsSpan(start, rows).ToArray();
                Targets y = labels is not null ? Targets.FromClasses(labels)
                    : Targets.FromTensor(data.Targets?.Rows(start, rows)
                        ?? throw new ConfigurationException($"{data.Name} has neither labels nor targets; it cannot be evaluated."));
                var output = model.Forward(x);
                sum += loss.Compute(output, y).Item() * rows;
                if (labelled) correct += Metrics.Correct(output, labels!);
            }
            return (sum, correct);
        }
        finally
        {
            model.Train(wasTraining);
        }
    }
}
