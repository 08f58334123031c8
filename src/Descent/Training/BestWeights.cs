using Descent.Tensors;

namespace Descent.Training;

/// <summary>
/// Keeps a copy of the flat weights of the best epoch (by the monitored validation metric) and, at the end
/// of the run, puts them back into the model (Keras's <c>restore_best_weights</c>; the "return the
/// parameters with the best validation error" of early stopping, Goodfellow et al. 2016, Algorithm 7.1).
/// The copy is of the weights that were evaluated (the Polyak average when evaluation used it). The copy and
/// the best value are checkpointed.
/// </summary>
public sealed class BestWeights(ValidationMetric? monitor = null) : ITrainingCallback
{
    private Tensor? copy;
    private double? best;
    private int bestEpoch;

    /// <summary>The metric that decides the best epoch.</summary>
    public ValidationMetric Monitor { get; } = monitor ?? ValidationMetric.ValLoss;

    /// <summary>The best epoch so far (1-based), or 0.</summary>
    public int BestEpoch => bestEpoch;

    /// <inheritdoc />
    public string Name => "best_weights";

    /// <inheritdoc />
    public CallbackAction OnEpochEnd(TrainingContext context, EpochMetrics metrics)
    {
        double v = Monitor.Read(metrics);
        if (!Monitor.IsBetter(v, best)) return CallbackAction.Continue;
        best = v;
        bestEpoch = metrics.Epoch;
        var evaluated = context.EvaluatedParameters;
        copy ??= Tensor.ZerosUnscoped(evaluated.Shape, evaluated.DType);
        copy.CopyFrom(evaluated);
        return CallbackAction.Continue;
    }

    /// <inheritdoc />
    public void OnTrainEnd(TrainingContext context)
    {
        if (copy is null) return;
        context.Model.Flat.Values.CopyFrom(copy);
        context.RestoredEpoch = bestEpoch;
    }

    /// <inheritdoc />
    public CallbackState ExportState() => new(
        new Dictionary<string, double> { ["best"] = best ?? double.NaN, ["has_best"] = best is null ? 0 : 1, ["best_epoch"] = bestEpoch },
        copy is null ? new Dictionary<string, Tensor>() : new Dictionary<string, Tensor> { ["weights"] = copy.CloneUnscoped() });

    /// <inheritdoc />
    public void ImportState(CallbackState state)
    {
        best = state.Get("has_best", 0) != 0 ? state.Get("best") : null;
        bestEpoch = (int)state.Get("best_epoch", 0);
        copy = state.Tensors.TryGetValue("weights", out var w) ? w.CloneUnscoped() : null;
    }
}
