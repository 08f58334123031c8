namespace Descent.Optim.LineSearch;

/// <summary>
/// A line search for a step satisfying the strong Wolfe conditions
/// <c>φ(α) ≤ φ(0) + c₁αφ'(0)</c> (sufficient decrease) and <c>|φ'(α)| ≤ c₂|φ'(0)|</c> (curvature), by
/// Nocedal &amp; Wright's Algorithm 3.5 (bracketing: double the step until it overshoots) and Algorithm 3.6
/// (zoom: shrink the bracket with safeguarded interpolation). Trial steps in the zoom are the minimizer of
/// the cubic through both ends' values and slopes (eq. 3.59) when it lies well inside the bracket, else of
/// the quadratic through the low end's value and slope and the high end's value, else the midpoint — the
/// same safeguards Moré &amp; Thuente (1994) and SciPy's <c>line_search</c> use. Typical constants: c₁ = 1e-4,
/// c₂ = 0.9 for quasi-Newton methods, c₂ = 0.1 (N&amp;W) to 0.4 (SciPy) for nonlinear conjugate gradients.
/// A non-finite φ counts as too large (the step shrinks).
/// </summary>
public sealed class StrongWolfe : ILineSearch
{
    /// <summary>Creates the search.</summary>
    /// <param name="c1">Sufficient-decrease constant, in (0, 1).</param>
    /// <param name="c2">Curvature constant, in (c₁, 1).</param>
    /// <param name="maxEvaluations">Budget of φ evaluations (each with the gradient).</param>
    /// <param name="maxStep">Largest step the bracketing phase may try.</param>
    /// <exception cref="ConfigurationException">The constants are out of range.</exception>
    public StrongWolfe(double c1 = 1e-4, double c2 = 0.9, int maxEvaluations = 25, double maxStep = 1e10)
    {
        if (!(c1 > 0 && c1 < 1)) throw new ConfigurationException($"Strong Wolfe: c1 must be in (0, 1), got {c1}.");
        if (!(c2 > c1 && c2 < 1)) throw new ConfigurationException($"Strong Wolfe: c2 must be in (c1, 1) = ({c1}, 1), got {c2}.");
        if (maxEvaluations < 1) throw new ConfigurationException($"Strong Wolfe: the evaluation budget must be at least 1, got {maxEvaluations}.");
        C1 = c1;
        C2 = c2;
        MaxEvaluations = maxEvaluations;
        MaxStep = maxStep;
    }

    /// <summary>Sufficient-decrease constant c₁.</summary>
    public double C1 { get; }

    /// <summary>Curvature constant c₂.</summary>
    public double C2 { get; }

    /// <summary>Budget of φ evaluations.</summary>
    public int MaxEvaluations { get; }

    /// <summary>Largest step tried.</summary>
    public double MaxStep { get; }

    /// <inheritdoc />
    public string Name => "strong Wolfe";

    /// <summary>True if φ(α) satisfies sufficient decrease.</summary>
    public bool Armijo(double value0, double slope0, LinePoint p) => p.Value <= value0 + C1 * p.Alpha * slope0;

    /// <summary>True if both strong Wolfe conditions hold at <paramref name="p"/>.</summary>
    public bool Holds(double value0, double slope0, LinePoint p) => Armijo(value0, slope0, p) && Math.Abs(p.Slope) <= -C2 * slope0;

    /// <inheritdoc />
    public LineSearchResult Search(LineFunction phi, double value0, double slope0, double initialStep)
    {
        if (!(slope0 < 0))
            return new LineSearchResult(0, value0, slope0, 0, 0, LineSearchStatus.NotDescent,
                $"not a descent direction (φ'(0) = {slope0:G4} ≥ 0)");
        int evals = 0;
        LinePoint Eval(double a)
        {
            evals++;
            var p = phi(a, true);
            return double.IsFinite(p.Value) && double.IsFinite(p.Slope) ? p : new LinePoint(a, double.PositiveInfinity, double.NaN);
        }
        var prev = new LinePoint(0, value0, slope0);
        double alpha = Math.Min(initialStep > 0 && double.IsFinite(initialStep) ? initialStep : 1, MaxStep);
        for (int i = 1; ; i++)
        {
            var cur = Eval(alpha);
            if (!Armijo(value0, slope0, cur) || (i > 1 && cur.Value >= prev.Value))
                return Zoom(phi, value0, slope0, prev, cur, ref evals);
            if (Math.Abs(cur.Slope) <= -C2 * slope0) return Done(cur, evals, LineSearchStatus.Wolfe, "strong Wolfe conditions hold");
            if (cur.Slope >= 0) return Zoom(phi, value0, slope0, cur, prev, ref evals);
            if (evals >= MaxEvaluations)
                return Done(cur, evals, LineSearchStatus.Armijo, $"sufficient decrease only: {MaxEvaluations} evaluations while the slope stayed negative");
            if (alpha >= MaxStep)
                return Done(cur, evals, LineSearchStatus.Armijo, $"sufficient decrease only: the step reached its maximum {MaxStep:G3}");
            prev = cur;
            alpha = Math.Min(2 * alpha, MaxStep);
        }
    }

    /// <summary>Algorithm 3.6: <paramref name="lo"/> satisfies sufficient decrease with the lowest φ so far, and
    /// the bracket between <paramref name="lo"/> and <paramref name="hi"/> contains strong-Wolfe steps.</summary>
    private LineSearchResult Zoom(LineFunction phi, double value0, double slope0, LinePoint lo, LinePoint hi, ref int evals)
    {
        while (true)
        {
            if (evals >= MaxEvaluations) return Best(lo, evals, $"{MaxEvaluations} evaluations without the curvature condition");
            double width = Math.Abs(hi.Alpha - lo.Alpha);
            if (width <= 1e-14 * Math.Max(1, Math.Abs(lo.Alpha)) || (lo.Alpha > 0 && width <= 1e-10 * lo.Alpha))
                return Best(lo, evals, "the bracket became too small for the arithmetic (rounding errors)");
            double a = Interpolation.Cubic(lo.Alpha, lo.Value, lo.Slope, hi.Alpha, hi.Value, hi.Slope);
            if (!Interpolation.Inside(a, lo.Alpha, hi.Alpha, 0.2))
            {
                a = Interpolation.Quadratic(lo.Alpha, lo.Value, lo.Slope, hi.Alpha, hi.Value);
                if (!Interpolation.Inside(a, lo.Alpha, hi.Alpha, 0.1)) a = 0.5 * (lo.Alpha + hi.Alpha);
            }
            evals++;
            var p = phi(a, true);
            if (!double.IsFinite(p.Value) || !double.IsFinite(p.Slope)) p = new LinePoint(a, double.PositiveInfinity, double.NaN);
            if (!Armijo(value0, slope0, p) || p.Value >= lo.Value)
            {
                hi = p;
                continue;
            }
            if (Math.Abs(p.Slope) <= -C2 * slope0) return Done(p, evals, LineSearchStatus.Wolfe, "strong Wolfe conditions hold");
            if (p.Slope * (hi.Alpha - lo.Alpha) >= 0) hi = lo;
            lo = p;
        }
    }

    private static LineSearchResult Best(LinePoint lo, int evals, string why) => lo.Alpha > 0
        ? Done(lo, evals, LineSearchStatus.Armijo, "sufficient decrease only: " + why)
        : new LineSearchResult(0, lo.Value, lo.Slope, evals, evals, LineSearchStatus.Failed, "no step with sufficient decrease: " + why);

    private static LineSearchResult Done(LinePoint p, int evals, LineSearchStatus status, string message) =>
        new(p.Alpha, p.Value, p.Slope, evals, evals, status, message);
}
