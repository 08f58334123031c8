using Descent.Optim.LineSearch;

namespace Descent.Optim.SecondOrder;

/// <summary>The line-search keys the gradient-based search methods share, and the initial-step rule.</summary>
internal static class LineSearchKeys
{
    /// <summary><c>line_search</c>: wolfe, armijo (or none, with a fixed step lr, when <paramref name="allowNone"/>).</summary>
    public static HyperparameterSpec Kind(bool allowNone) => allowNone
        ? Hp.Choice("line_search", "wolfe", "wolfe: strong Wolfe (N&W Alg. 3.5/3.6); armijo: backtracking; none: fixed step lr", "wolfe", "armijo", "none")
        : Hp.Choice("line_search", "wolfe", "wolfe: strong Wolfe (N&W Alg. 3.5/3.6); armijo: backtracking", "wolfe", "armijo");

    /// <summary><c>c1</c>, the sufficient-decrease constant.</summary>
    public static HyperparameterSpec C1 { get; } = Hp.Real("c1", 1e-4, "sufficient-decrease (Armijo) constant c₁", 0, 1, minExclusive: true, maxExclusive: true);

    /// <summary><c>c2</c>, the curvature constant of the strong Wolfe conditions.</summary>
    public static HyperparameterSpec C2(double def) => Hp.Real("c2", def, "curvature constant c₂ of the strong Wolfe conditions (c₁ < c₂ < 1)", 0, 1, minExclusive: true, maxExclusive: true);

    /// <summary><c>max_evals</c>, the line search's budget of evaluations.</summary>
    public static HyperparameterSpec MaxEvals { get; } = Hp.Integer("max_evals", 25, "evaluations a line search may use", min: 1);

    /// <summary>Checks c₁ &lt; c₂.</summary>
    public static void Check(OptimizerSettings s)
    {
        if (s.Has("c2") && s.Real("c2") <= s.Real("c1"))
            throw new ConfigurationException($"{s.Optimizer}: c2 must be larger than c1 (c1 = {s["c1"]}, c2 = {s["c2"]}).");
    }

    /// <summary>The line search the settings ask for (null for <c>none</c>).</summary>
    public static ILineSearch? Create(OptimizerSettings s, bool withGradient) => s["line_search"] switch
    {
        "wolfe" => new StrongWolfe(s.Real("c1"), s.Real("c2"), (int)s.Integer("max_evals")),
        "armijo" => new Backtracking(s.Real("c1"), (int)s.Integer("max_evals"), withGradient),
        _ => null,
    };

    /// <summary>
    /// The first trial step: α₀ = min(1, 1.01·2(f_k − f_{k−1})/φ'(0)), the minimizer of the quadratic that
    /// reproduces the last decrease (Nocedal &amp; Wright eq. 3.60), as SciPy's CG and BFGS use it; before the
    /// first step f_{−1} = f₀ + ‖g₀‖/2, so the first trial has length about 1. Falls back to 1 when the
    /// formula gives no positive number (e.g. f rose between mini-batches).
    /// </summary>
    public static double InitialStep(double value, double previousValue, double slope, double gradientNorm)
    {
        double prev = double.IsFinite(previousValue) ? previousValue : value + gradientNorm / 2;
        double a = 1.01 * 2 * (value - prev) / slope;
        return a > 0 && double.IsFinite(a) ? Math.Min(1, a) : 1;
    }
}
