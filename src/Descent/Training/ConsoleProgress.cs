using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Descent.Training;

/// <summary>
/// Shows progress: on a terminal, a bar redrawn in place (epoch, steps, running loss, steps per second,
/// time left), at most ten times a second; when output is redirected, nothing between epochs. Either way
/// one line per epoch with its metrics (and the count of steps skipped for non-finite values, if any).
/// </summary>
/// <param name="output">Where to write.</param>
/// <param name="interactive">True on a terminal (<c>!Console.IsOutputRedirected</c>).</param>
public sealed class ConsoleProgress(TextWriter output, bool interactive) : ITrainingCallback
{
    private readonly Stopwatch clock = new();
    private long stepsAtStart;
    private double lossSum;
    private int lossCount;
    private long lastDraw = -1000;
    private int drawnWidth;
    private long lastSkipped;

    /// <inheritdoc />
    public string Name => "progress";

    /// <inheritdoc />
    public void OnTrainBegin(TrainingContext context)
    {
        clock.Restart();
        stepsAtStart = context.GlobalStep;
        lastSkipped = context.Optimizer.SkippedSteps;
    }

    /// <inheritdoc />
    public CallbackAction OnStepEnd(TrainingContext context, in StepInfo step)
    {
        if (double.IsFinite(step.Loss)) { lossSum += step.Loss; lossCount++; }
        if (!interactive) return CallbackAction.Continue;
        long now = clock.ElapsedMilliseconds;
        if (now - lastDraw < 100 && step.StepInEpoch < step.StepsInEpoch) return CallbackAction.Continue;
        lastDraw = now;
        double rate = (context.GlobalStep - stepsAtStart) / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
        long remaining = context.RemainingSteps(step.StepInEpoch);
        Draw(Bar(step, lossCount > 0 ? lossSum / lossCount : double.NaN, rate, remaining / Math.Max(rate, 1e-9), context.Epochs));
        return CallbackAction.Continue;
    }

    /// <inheritdoc />
    public CallbackAction OnEpochEnd(TrainingContext context, EpochMetrics m)
    {
        Clear();
        lossSum = 0;
        lossCount = 0;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"epoch {m.Epoch}/{context.Epochs}  step {m.Step}  train_loss {F(m.TrainLoss)}  val_loss {F(m.ValLoss)}");
        if (!double.IsNaN(m.ValAccuracy)) sb.Append(CultureInfo.InvariantCulture, $"  val_acc {F(m.ValAccuracy)}");
        sb.Append(CultureInfo.InvariantCulture, $"  test_loss {F(m.TestLoss)}");
        if (!double.IsNaN(m.TestAccuracy)) sb.Append(CultureInfo.InvariantCulture, $"  test_acc {F(m.TestAccuracy)}");
        // Methods without a learning rate (Newton, Hessian-free, …) have none to show.
        if (!double.IsNaN(m.LearningRate)) sb.Append(CultureInfo.InvariantCulture, $"  lr {m.LearningRate:G4}");
        sb.Append(CultureInfo.InvariantCulture, $"  {m.Seconds:F1}s");
        long skipped = context.Optimizer.SkippedSteps;
        if (skipped > lastSkipped) sb.Append(CultureInfo.InvariantCulture, $"  ({skipped - lastSkipped} steps skipped: non-finite loss or gradient)");
        lastSkipped = skipped;
        output.WriteLine(sb.ToString());
        output.Flush();
        return CallbackAction.Continue;
    }

    /// <inheritdoc />
    public void OnTrainEnd(TrainingContext context) => Clear();

    /// <summary>Erases the bar (before other output, e.g. an interruption message).</summary>
    public void Clear()
    {
        if (drawnWidth == 0) return;
        output.Write('\r' + new string(' ', drawnWidth) + '\r');
        output.Flush();
        drawnWidth = 0;
    }

    private static string Bar(in StepInfo s, double loss, double rate, double eta, int epochs)
    {
        const int width = 24;
        double frac = s.StepsInEpoch == 0 ? 1 : (double)s.StepInEpoch / s.StepsInEpoch;
        int full = (int)Math.Round(frac * width);
        return string.Create(CultureInfo.InvariantCulture,
            $"epoch {s.Epoch + 1}/{epochs} [{new string('#', full)}{new string('-', width - full)}] {s.StepInEpoch}/{s.StepsInEpoch}  loss {F(loss)}  {rate:F1} steps/s  ETA {Time(eta)}");
    }

    private void Draw(string line)
    {
        var pad = drawnWidth > line.Length ? new string(' ', drawnWidth - line.Length) : "";
        output.Write('\r' + line + pad);
        output.Flush();
        drawnWidth = line.Length;
    }

    private static string F(double x) => double.IsNaN(x) ? "-" : x.ToString("F4", CultureInfo.InvariantCulture);

    private static string Time(double seconds)
    {
        if (!double.IsFinite(seconds)) return "?";
        var t = TimeSpan.FromSeconds(Math.Round(seconds));
        return t.TotalHours >= 1 ? $"{(int)t.TotalHours}:{t.Minutes:D2}:{t.Seconds:D2}" : $"{t.Minutes}:{t.Seconds:D2}";
    }
}
