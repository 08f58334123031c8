using Descent.Optim;
using Descent.Tensors;

namespace Descent.Training;

/// <summary>What a callback asks the trainer to do next.</summary>
public enum CallbackAction
{
    /// <summary>Go on training.</summary>
    Continue,

    /// <summary>Stop after this step or epoch (the run ends normally: checkpoint, summary).</summary>
    Stop,
}

/// <summary>What one training step did, as callbacks see it.</summary>
/// <param name="Epoch">0-based epoch.</param>
/// <param name="GlobalStep">Steps taken so far in the run, this one included (1-based).</param>
/// <param name="StepInEpoch">Steps taken so far in this epoch, this one included (1-based).</param>
/// <param name="StepsInEpoch">Steps the epoch has.</param>
/// <param name="Loss">The mini-batch data loss (without penalties).</param>
/// <param name="Result">What the optimizer reported (gradient norm, learning rate, skipped, clipped).</param>
public readonly record struct StepInfo(int Epoch, long GlobalStep, int StepInEpoch, int StepsInEpoch, double Loss, StepResult Result);

/// <summary>
/// A callback's state for checkpoints: numbers (stored in the run-state JSON) and tensors (stored in the
/// checkpoint file next to the optimizer's). Restoring it makes a resumed run behave exactly like an
/// uninterrupted one.
/// </summary>
/// <param name="Scalars">Named numbers (NaN and infinities allowed).</param>
/// <param name="Tensors">Named tensors (copies, not scope-rented).</param>
public sealed record CallbackState(IReadOnlyDictionary<string, double> Scalars, IReadOnlyDictionary<string, Tensor> Tensors)
{
    /// <summary>A state with numbers only.</summary>
    public CallbackState(IReadOnlyDictionary<string, double> scalars) : this(scalars, new Dictionary<string, Tensor>()) { }

    /// <summary>A number, or <paramref name="fallback"/> when absent.</summary>
    public double Get(string key, double fallback = double.NaN) => Scalars.TryGetValue(key, out var v) ? v : fallback;
}

/// <summary>
/// Hooks into the training loop (Keras's and Lightning's callbacks): at the start and end of the run, after
/// every step and every epoch, and around evaluation. A step or epoch hook returns
/// <see cref="CallbackAction.Stop"/> to end the run (early stopping). Callbacks with state export it for
/// checkpoints. Every member has a do-nothing default, so a callback implements only what it needs.
/// </summary>
public interface ITrainingCallback
{
    /// <summary>A short name, unique among a run's callbacks (it keys the state in checkpoints).</summary>
    string Name { get; }

    /// <summary>Before the first step (of a fresh or a resumed run; <see cref="TrainingContext.GlobalStep"/> says which).</summary>
    void OnTrainBegin(TrainingContext context) { }

    /// <summary>The augmentation hook: sees every training batch's inputs before the objective and returns the inputs to
    /// train on (by default the same; e.g. shifted or distorted images). Evaluation batches never pass here.</summary>
    Tensor OnTrainBatch(TrainingContext context, Tensor inputs) => inputs;

    /// <summary>After every optimizer step.</summary>
    CallbackAction OnStepEnd(TrainingContext context, in StepInfo step) => CallbackAction.Continue;

    /// <summary>Before the end-of-epoch evaluation; the returned scope (if any) is disposed after it
    /// (e.g. Polyak averaging swaps the averaged weights in and out).</summary>
    IDisposable? OnEvaluate(TrainingContext context) => null;

    /// <summary>After each epoch's evaluation, with its metrics (already in <see cref="TrainingContext.History"/>).</summary>
    CallbackAction OnEpochEnd(TrainingContext context, EpochMetrics metrics) => CallbackAction.Continue;

    /// <summary>After the last step and the final checkpoint, before the summary is written (e.g. restoring the best weights).</summary>
    void OnTrainEnd(TrainingContext context) { }

    /// <summary>The state to checkpoint, or null if the callback has none.</summary>
    CallbackState? ExportState() => null;

    /// <summary>Restores a state exported by <see cref="ExportState"/>.</summary>
    void ImportState(CallbackState state) { }
}
