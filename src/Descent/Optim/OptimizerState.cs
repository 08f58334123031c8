using Descent.Tensors;

namespace Descent.Optim;

/// <summary>
/// Everything needed to continue an optimizer bit-identically: named flat tensors (moment buffers, the
/// Polyak average, look-ahead slow weights) and scalar metadata (step count, skipped steps, schedule state),
/// plus the optimizer's name and explicit settings so a checkpoint can say what it was. A checkpoint writes
/// the tensors (safetensors) and the rest (JSON); <see cref="Optimizer.ImportState"/> reads it back into an
/// optimizer created with the same settings and bound to the same parameters.
/// </summary>
/// <param name="Optimizer">The optimizer's name.</param>
/// <param name="Settings">The explicitly given settings.</param>
/// <param name="Schedule">The schedule's text (see <see cref="Schedules.Schedule.Parse"/>).</param>
/// <param name="Tensors">Named flat tensors (copies).</param>
/// <param name="Scalars">Named numbers: <c>step</c>, <c>skipped_steps</c>, <c>schedule.*</c>, ….</param>
public sealed record OptimizerState(
    string Optimizer,
    IReadOnlyDictionary<string, string> Settings,
    string Schedule,
    IReadOnlyDictionary<string, Tensor> Tensors,
    IReadOnlyDictionary<string, double> Scalars)
{
    /// <summary>The step count.</summary>
    public long Step => (long)Scalars["step"];
}
