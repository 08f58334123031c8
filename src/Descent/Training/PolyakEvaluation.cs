namespace Descent.Training;

/// <summary>
/// Evaluates the Polyak average of the iterates instead of the last iterate (Polyak &amp; Juditsky 1992;
/// Goodfellow et al. 2016, §8.7.3): before each evaluation the optimizer's averaged weights
/// (<c>--set average=arithmetic</c> or <c>ema</c>) are swapped into the model, and swapped back after, so
/// training continues from the live iterate. The average itself is part of the optimizer's state (and so of
/// every checkpoint). Does nothing until the average holds an iterate.
/// </summary>
public sealed class PolyakEvaluation : ITrainingCallback
{
    /// <inheritdoc />
    public string Name => "polyak_evaluation";

    /// <inheritdoc />
    public IDisposable? OnEvaluate(TrainingContext context)
    {
        var average = context.Optimizer.Average;
        if (average is null || average.Count == 0 || average.IsSwappedIn) return null;
        var scope = average.SwapIn();
        context.EvaluatedParameters = average.Average; // holds θ̄ again once swapped out
        return scope;
    }
}
