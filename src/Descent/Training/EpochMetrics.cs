using System.Globalization;
using System.Text;

namespace Descent.Training;

/// <summary>
/// One row of a run's <c>metrics.csv</c>: what the model did in one epoch. Losses are the mean data loss
/// (without penalties) per example; <see cref="TrainLoss"/> is the mean of the epoch's mini-batch losses
/// (steps skipped for non-finite values excluded). Accuracies are NaN (an empty cell) for regression problems.
/// </summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Step">Optimizer steps taken by the end of the epoch (skipped ones included).</param>
/// <param name="TrainLoss">Mean mini-batch loss over the epoch's steps.</param>
/// <param name="ValLoss">Validation loss.</param>
/// <param name="ValAccuracy">Validation accuracy, or NaN.</param>
/// <param name="TestLoss">Test loss.</param>
/// <param name="TestAccuracy">Test accuracy, or NaN.</param>
/// <param name="LearningRate">The default group's learning rate at the end of the epoch (base × schedule).</param>
/// <param name="Seconds">Wall-clock seconds since the run started (resumed runs included).</param>
public sealed record EpochMetrics(int Epoch, long Step, double TrainLoss, double ValLoss, double ValAccuracy,
    double TestLoss, double TestAccuracy, double LearningRate, double Seconds);

/// <summary>Writes <c>metrics.csv</c> with the header of the command-line contract (docs/architecture.md).</summary>
public static class MetricsCsv
{
    /// <summary>The exact header line.</summary>
    public const string Header = "epoch,step,train_loss,val_loss,val_accuracy,test_loss,test_accuracy,lr,seconds";

    /// <summary>The file name in a run directory.</summary>
    public const string FileName = "metrics.csv";

    /// <summary>The whole file for <paramref name="rows"/> (header first, one line per epoch, '\n' line ends).</summary>
    public static string Format(IEnumerable<EpochMetrics> rows)
    {
        var sb = new StringBuilder(Header).Append('\n');
        foreach (var r in rows)
        {
            sb.Append(r.Epoch.ToString(CultureInfo.InvariantCulture)).Append(',')
              .Append(r.Step.ToString(CultureInfo.InvariantCulture)).Append(',')
              .Append(Number(r.TrainLoss)).Append(',')
              .Append(Number(r.ValLoss)).Append(',')
              .Append(Number(r.ValAccuracy)).Append(',')
              .Append(Number(r.TestLoss)).Append(',')
              .Append(Number(r.TestAccuracy)).Append(',')
              .Append(Number(r.LearningRate)).Append(',')
              .Append(r.Seconds.ToString("F3", CultureInfo.InvariantCulture)).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>Writes the file atomically (it is rewritten whole after every epoch, so a resumed run never
    /// duplicates or loses rows).</summary>
    public static void Write(string runDirectory, IEnumerable<EpochMetrics> rows)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(Format(rows));
        AtomicFile.Write(Path.Combine(runDirectory, FileName), s => s.Write(bytes));
    }

    /// <summary>A number in round-trip form; NaN becomes an empty cell.</summary>
    internal static string Number(double x) => double.IsNaN(x) ? "" : x.ToString("R", CultureInfo.InvariantCulture);
}
