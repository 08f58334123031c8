namespace Descent.Optim;

/// <summary>What one optimizer step did, for logs and traces.</summary>
/// <param name="Step">The optimizer's step count after this call (unchanged when skipped).</param>
/// <param name="Loss">The loss the step saw (NaN when the caller computed the gradient itself). For look-ahead
/// methods it is the loss at the look-ahead point.</param>
/// <param name="GradientNorm">The global L2 norm of the gradient before clipping (NaN or ∞ if non-finite).</param>
/// <param name="LearningRate">The default group's learning rate used (base × schedule).</param>
/// <param name="Skipped">True if the step was skipped because the loss or gradient was not finite.</param>
/// <param name="Clipped">True if global-norm clipping scaled the gradient down.</param>
public readonly record struct StepResult(long Step, double Loss, double GradientNorm, double LearningRate, bool Skipped, bool Clipped);

/// <summary>
/// A non-finite loss or gradient with <c>nonfinite=halt</c> (the default). The message names the step, the
/// first parameter with a non-finite gradient, and the usual fixes.
/// </summary>
public sealed class NonFiniteException : DescentException
{
    /// <summary>Creates the error.</summary>
    public NonFiniteException(string message) : base(message) { }
}
