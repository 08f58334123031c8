using Descent.Nn;
using Descent.Optim.LineSearch;

namespace Descent.Optim.SecondOrder;

/// <summary>
/// Minimizes a fixed objective with any optimizer until <c>‖∇f‖₂ ≤ gtol</c> or an iteration budget runs out,
/// and returns SciPy's kind of result (<see cref="SearchResult"/>): iterations, evaluations of f, ∇f and
/// curvature, status and message. For a <see cref="SearchMethod"/> the gradient at each new point usually
/// comes with its step (it is marked <see cref="SearchMethod.FixedObjective"/> so consecutive steps share
/// evaluations); for an update rule each iteration evaluates f and ∇f once, tests them, then steps.
/// </summary>
/// <example>
/// <code>
/// var objective = new FunctionObjective(new Rosenbrock(2), [-1.2, 1]);
/// var lbfgs = OptimizerFactory.Create("lbfgs", null, objective.Parameters);
/// var result = Minimizer.Minimize(lbfgs, objective, maxIterations: 1000, gradientTolerance: 1e-6);
/// Console.Write(result.Format());   // message, success, status, fun, nit, nfev, njev, nhev, ‖∇f‖
/// </code>
/// </example>
public static class Minimizer
{
    /// <summary>Runs <paramref name="optimizer"/> (bound to <paramref name="objective"/>'s parameters) on the
    /// objective. <paramref name="afterStep"/> sees each completed iteration (its number from 1).</summary>
    /// <exception cref="ConfigurationException">A negative budget or tolerance.</exception>
    /// <exception cref="NonFiniteException">Not thrown: a non-finite value ends the run with status 3.</exception>
    public static SearchResult Minimize(Optimizer optimizer, IObjective objective, int maxIterations, double gradientTolerance = 1e-5,
        Action<int>? afterStep = null)
    {
        if (maxIterations < 0) throw new ConfigurationException($"The iteration budget must be ≥ 0, got {maxIterations}.");
        if (!(gradientTolerance >= 0)) throw new ConfigurationException($"gtol must be ≥ 0, got {gradientTolerance}.");
        int f0 = objective.FunctionEvaluations, g0 = objective.GradientEvaluations, h0 = objective.HessianVectorProducts;
        var method = optimizer as SearchMethod;
        long extra0 = method?.UncountedCurvatureWork ?? 0;
        if (method is not null) method.FixedObjective = true;
        SearchResult Result(SearchStatus status, string message, int nit, double value, double norm) =>
            new(status, message, nit, objective.FunctionEvaluations - f0, objective.GradientEvaluations - g0,
                objective.HessianVectorProducts - h0 + (int)((method?.UncountedCurvatureWork ?? 0) - extra0), value, norm);
        double value = double.NaN, norm = double.NaN;
        bool known = false;
        for (int k = 0; ; k++)
        {
            if (!known)
            {
                value = objective.Evaluate(computeGradient: true);
                norm = FlatVector.Norm(objective.Parameters.Grads);
                known = true;
                method?.Prime(value);
            }
            if (!double.IsFinite(value) || !double.IsFinite(norm))
                return Result(SearchStatus.NonFinite, $"f = {value}, ‖∇f‖ = {norm}: not finite", k, value, norm);
            if (norm <= gradientTolerance)
                return Result(SearchStatus.Converged, $"Optimization terminated successfully: ‖∇f‖ = {norm:G3} ≤ gtol = {gradientTolerance:G3}.", k, value, norm);
            if (k >= maxIterations)
                return Result(SearchStatus.MaxIterations, $"Maximum number of iterations ({maxIterations}) has been exceeded.", k, value, norm);
            try
            {
                if (method is not null || optimizer.Kind == OptimizerKind.SearchMethod) optimizer.Step(objective);
                else optimizer.Step();
            }
            catch (NonFiniteException e)
            {
                return Result(SearchStatus.NonFinite, e.Message, k, value, norm);
            }
            afterStep?.Invoke(k + 1);
            known = false;
            if (method?.LastStep is { } step)
            {
                if (step.Status == SearchStatus.LineSearchFailed)
                    return Result(SearchStatus.LineSearchFailed, $"Desired error not necessarily achieved due to precision loss: {step.Message}.", k + 1, value, norm);
                if (double.IsFinite(step.GradientNorm) && double.IsFinite(step.Value))
                {
                    value = step.Value;
                    norm = step.GradientNorm;
                    known = true;
                }
            }
        }
    }
}
