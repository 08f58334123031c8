namespace Descent.Optim.LineSearch;

/// <summary>
/// Backtracking line search for the sufficient-decrease (Armijo) condition <c>φ(α) ≤ φ(0) + c₁αφ'(0)</c>
/// (Nocedal &amp; Wright, Algorithm 3.1): starting from the initial step, each failed trial is replaced by the
/// minimizer of the quadratic (first) or cubic (later) interpolating what is known of φ (N&amp;W §3.5,
/// eqs. 3.57–3.58), kept within [0.1α, 0.5α] so the step shrinks by at least half and at most tenfold.
/// Trials need only φ; with <see cref="WithGradient"/> they also compute the gradient (so the accepted point's
/// gradient is at hand). A non-finite φ counts as too large.
/// </summary>
public sealed class Backtracking : ILineSearch
{
    /// <summary>Creates the search.</summary>
    /// <param name="c1">Sufficient-decrease constant, in (0, 1).</param>
    /// <param name="maxEvaluations">Budget of φ evaluations.</param>
    /// <param name="withGradient">Evaluate the gradient at every trial.</param>
    /// <param name="interpolate">Interpolate trial steps (else halve the step each time).</param>
    /// <exception cref="ConfigurationException">The constants are out of range.</exception>
    public Backtracking(double c1 = 1e-4, int maxEvaluations = 30, bool withGradient = false, bool interpolate = true)
    {
        if (!(c1 > 0 && c1 < 1)) throw new ConfigurationException($"Backtracking: c1 must be in (0, 1), got {c1}.");
        if (maxEvaluations < 1) throw new ConfigurationException($"Backtracking: the evaluation budget must be at least 1, got {maxEvaluations}.");
        C1 = c1;
        MaxEvaluations = maxEvaluations;
        WithGradient = withGradient;
        Interpolate = interpolate;
    }

    /// <summary>Sufficient-decrease constant c₁.</summary>
    public double C1 { get; }

    /// <summary>Budget of φ evaluations.</summary>
    public int MaxEvaluations { get; }

    /// <summary>Whether trials compute the gradient too.</summary>
    public bool WithGradient { get; }

    /// <summary>Whether trial steps come from interpolation (else bisection).</summary>
    public bool Interpolate { get; }

    /// <inheritdoc />
    public string Name => "backtracking (Armijo)";

    /// <inheritdoc />
    public LineSearchResult Search(LineFunction phi, double value0, double slope0, double initialStep)
    {
        if (!(slope0 < 0))
            return new LineSearchResult(0, value0, slope0, 0, 0, LineSearchStatus.NotDescent,
                $"not a descent direction (φ'(0) = {slope0:G4} ≥ 0)");
        double alpha = initialStep > 0 && double.IsFinite(initialStep) ? initialStep : 1;
        double prevAlpha = double.NaN, prevValue = double.NaN;
        for (int evals = 1; ; evals++)
        {
            var p = phi(alpha, WithGradient);
            double v = double.IsFinite(p.Value) ? p.Value : double.PositiveInfinity;
            if (v <= value0 + C1 * alpha * slope0)
                return new LineSearchResult(alpha, v, p.Slope, evals, WithGradient ? evals : 0, LineSearchStatus.Armijo,
                    evals == 1 ? "sufficient decrease at the first step" : $"sufficient decrease after {evals} trials");
            if (evals >= MaxEvaluations || alpha < 1e-20)
                return new LineSearchResult(0, value0, slope0, evals, WithGradient ? evals : 0, LineSearchStatus.Failed,
                    $"no step with sufficient decrease in {evals} trials (last step {alpha:G3})");
            double next = double.NaN;
            if (Interpolate && double.IsFinite(v))
                next = double.IsNaN(prevAlpha) || !double.IsFinite(prevValue)
                    ? Interpolation.Quadratic(0, value0, slope0, alpha, v)
                    : Interpolation.CubicThroughTwo(value0, slope0, prevAlpha, prevValue, alpha, v);
            next = double.IsFinite(next) ? Math.Clamp(next, 0.1 * alpha, 0.5 * alpha) : 0.5 * alpha;
            prevAlpha = alpha;
            prevValue = v;
            alpha = next;
        }
    }
}
