namespace Descent.Optim.LineSearch;

/// <summary>How a line search ended.</summary>
public enum LineSearchStatus
{
    /// <summary>The strong Wolfe conditions hold at the returned step.</summary>
    Wolfe,

    /// <summary>The sufficient-decrease (Armijo) condition holds at the returned step (backtracking's goal, or
    /// the best point a Wolfe search reached when it ran out of evaluations or of interval).</summary>
    Armijo,

    /// <summary>The direction is not a descent direction (φ'(0) ≥ 0); no step was tried.</summary>
    NotDescent,

    /// <summary>No step with sufficient decrease was found within the evaluation budget or before the
    /// interval became too small for the arithmetic; the returned step is 0.</summary>
    Failed,
}

/// <summary>One evaluation of φ(α) = f(x + α·p) along a search direction.</summary>
/// <param name="Alpha">The step α.</param>
/// <param name="Value">φ(α) (+∞ where f is not finite).</param>
/// <param name="Slope">φ'(α) = ∇f(x + αp)ᵀp, or NaN when the gradient was not evaluated.</param>
public readonly record struct LinePoint(double Alpha, double Value, double Slope);

/// <summary>φ along a ray: evaluates f (and with <paramref name="withSlope"/> the directional derivative) at
/// step <paramref name="alpha"/>.</summary>
public delegate LinePoint LineFunction(double alpha, bool withSlope);

/// <summary>
/// What a line search did, like SciPy's <c>line_search</c> result: the step, the function value and slope
/// there, how many function and gradient evaluations it took, and why it stopped.
/// </summary>
/// <param name="Alpha">The accepted step (0 when <see cref="Status"/> is <see cref="LineSearchStatus.Failed"/>
/// or <see cref="LineSearchStatus.NotDescent"/>).</param>
/// <param name="Value">φ(α).</param>
/// <param name="Slope">φ'(α), or NaN when the last evaluation at α did not compute the gradient.</param>
/// <param name="FunctionEvaluations">Evaluations of φ.</param>
/// <param name="GradientEvaluations">Evaluations that also computed the gradient.</param>
/// <param name="Status">Why it stopped.</param>
/// <param name="Message">A sentence for logs and results.</param>
public sealed record LineSearchResult(double Alpha, double Value, double Slope, int FunctionEvaluations, int GradientEvaluations,
    LineSearchStatus Status, string Message)
{
    /// <summary>True if a step with sufficient decrease was found (strong Wolfe or Armijo).</summary>
    public bool Success => Status is LineSearchStatus.Wolfe or LineSearchStatus.Armijo;
}

/// <summary>A one-dimensional search for a step along a descent direction.</summary>
public interface ILineSearch
{
    /// <summary>The search's name for messages, e.g. <c>strong Wolfe</c>.</summary>
    string Name { get; }

    /// <summary>Searches φ from φ(0) = <paramref name="value0"/>, φ'(0) = <paramref name="slope0"/>, trying
    /// <paramref name="initialStep"/> first.</summary>
    LineSearchResult Search(LineFunction phi, double value0, double slope0, double initialStep);
}
