using System.Globalization;

namespace Descent.Training;

/// <summary>
/// Logs every <see cref="Every"/>-th step to <c>steps.csv</c> in the run directory: step, epoch, mini-batch
/// loss, the global gradient norm ‖g‖ (before clipping), learning rate, and whether the step was skipped or
/// clipped — the raw material for spotting exploding gradients and cliffs (Goodfellow et al. 2016, §8.2.4).
/// Rows are flushed at every checkpoint; when a run resumes, rows written after its checkpoint are
/// dropped, so the file matches the uninterrupted run's. Without a run directory, only
/// <see cref="LastNorm"/> and the running maximum are kept.
/// </summary>
public sealed class GradientNormLog : ITrainingCallback, IDisposable
{
    /// <summary>The file name in a run directory.</summary>
    public const string FileName = "steps.csv";

    /// <summary>The header line.</summary>
    public const string Header = "step,epoch,loss,grad_norm,lr,skipped,clipped";

    private StreamWriter? writer;

    /// <summary>Logs every <paramref name="every"/> steps.</summary>
    /// <exception cref="ConfigurationException"><paramref name="every"/> is below 1.</exception>
    public GradientNormLog(int every)
    {
        if (every < 1) throw new ConfigurationException($"The gradient-norm log interval must be at least 1 step, got {every}.");
        Every = every;
    }

    /// <summary>Steps between rows.</summary>
    public int Every { get; }

    /// <summary>The last logged gradient norm.</summary>
    public double LastNorm { get; private set; } = double.NaN;

    /// <summary>The largest logged gradient norm in this process.</summary>
    public double MaxNorm { get; private set; }

    /// <inheritdoc />
    public string Name => "gradient_norm_log";

    /// <inheritdoc />
    public void OnTrainBegin(TrainingContext context)
    {
        if (context.RunDirectory is not { } dir) return;
        writer?.Dispose();
        writer = StepLogFile.Open(Path.Combine(dir, FileName), Header, context.GlobalStep);
    }

    /// <inheritdoc />
    public CallbackAction OnStepEnd(TrainingContext context, in StepInfo step)
    {
        if (step.GlobalStep % Every != 0) return CallbackAction.Continue;
        var r = step.Result;
        LastNorm = r.GradientNorm;
        if (r.GradientNorm > MaxNorm) MaxNorm = r.GradientNorm;
        writer?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{step.GlobalStep},{step.Epoch + 1},{MetricsCsv.Number(step.Loss)},{MetricsCsv.Number(r.GradientNorm)},{MetricsCsv.Number(r.LearningRate)},{(r.Skipped ? 1 : 0)},{(r.Clipped ? 1 : 0)}"));
        return CallbackAction.Continue;
    }

    /// <inheritdoc />
    public CallbackAction OnEpochEnd(TrainingContext context, EpochMetrics metrics)
    {
        writer?.Flush();
        return CallbackAction.Continue;
    }

    /// <summary>Flushes the rows logged so far (called when a checkpoint is taken).</summary>
    public CallbackState? ExportState()
    {
        writer?.Flush();
        return null;
    }

    /// <inheritdoc />
    public void OnTrainEnd(TrainingContext context) => writer?.Flush();

    /// <summary>Closes the file.</summary>
    public void Dispose()
    {
        writer?.Dispose();
        writer = null;
    }
}
