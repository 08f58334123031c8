using Descent.Data;
using Descent.Nn;
using Descent.Optim.LineSearch;
using Descent.Tensors;

namespace Descent.Optim.SecondOrder;

/// <summary>
/// Saddle-free Newton (Dauphin, Pascanu, Gulcehre, Cho, Ganguli &amp; Bengio 2014, "Identifying and attacking
/// the saddle point problem in high-dimensional non-convex optimization"): Newton's step with the Hessian
/// H = QΛQᵀ replaced by |H| = Q|Λ|Qᵀ, <c>Δθ = −(|H| + λI)⁻¹g</c>. Along directions of negative curvature it
/// moves downhill instead of uphill, so saddle points repel it where they attract Newton's method; along
/// positive curvature it is Newton's step. Dense eigendecomposition (small models only), then a backtracking
/// (Armijo) line search from the full step.
/// </summary>
public sealed class SaddleFreeNewton : SearchMethod
{
    /// <summary>The description and keys.</summary>
    public static OptimizerInfo Definition { get; } = new("saddle-free-newton",
        "saddle-free Newton: Newton's step with |H| (dense eigendecomposition; small models)",
        "H = QΛQᵀ; Δθ = −Q(|Λ| + λI)⁻¹Qᵀg; θ ← θ + αΔθ with α from a backtracking line search",
        "Dauphin et al. 2014",
        [
            Hp.NonNegative("damping", 1e-4, "λ added to |Λ| (keeps steps along near-flat directions bounded)"),
            Hp.Choice("line_search", "armijo", "armijo: backtracking from α = 1; none: always the full step", "armijo", "none"),
            Hp.Integer("max_params", 1000, "largest parameter count (dense Hessian and eigendecomposition per step)", min: 1),
        ]);

    /// <summary>Creates the method.</summary>
    public SaddleFreeNewton(OptimizerSettings settings) : base(Definition, settings) { }

    /// <summary>The eigenvalues of H at the start of the last step, largest first.</summary>
    public IReadOnlyList<double> LastEigenvalues { get; private set; } = [];

    /// <inheritdoc />
    protected override void Allocate(FlatParameters parameters) =>
        Dense.CheckSize(Name, parameters.Count, Settings.Integer("max_params"), "hessian-free or lbfgs");

    /// <inheritdoc />
    protected override StepOutcome Iterate(IObjective objective, double value, double gradientNorm)
    {
        var flat = Parameters;
        int n = flat.Count;
        if (gradientNorm == 0) return new StepOutcome(SearchStatus.Stepped, "∇f = 0: nothing to do", false, value, true);
        var g = StartGradient.ToDoubleArray();
        var eig = SymmetricEigen.Decompose(Dense.Hessian(objective), n);
        LastEigenvalues = eig.Values;
        double damping = Settings.Real("damping");
        var p = new double[n];
        for (int k = 0; k < n; k++)
        {
            double d = Math.Abs(eig.Values[k]) + damping;
            if (!(d > 0)) continue;
            var q = eig.Vector(k);
            double c = -Dense.Dot(q, g) / d;
            for (int i = 0; i < n; i++) p[i] += c * q[i];
        }
        var direction = FlatVector.Zeros(n, flat.DType);
        FlatVector.FromDoubles(p, direction);
        int negative = eig.Values.Count(v => v < 0);
        if (Settings["line_search"] == "none")
        {
            double f = new Ray(objective, StartPoint, direction).MoveTo(1, WantEndGradient);
            return StepOutcome.Step($"full step ({negative} negative eigenvalues)", f, WantEndGradient);
        }
        double slope = FlatVector.Dot(StartGradient, direction);
        var (_, outcome) = SearchAlong(objective, new Backtracking(), direction, value, slope, 1, WantEndGradient);
        return outcome with { Message = $"{outcome.Message}; {negative} negative eigenvalues" };
    }

    /// <inheritdoc />
    protected override void ExportCore(Dictionary<string, Tensor> tensors, Dictionary<string, double> scalars) { }

    /// <inheritdoc />
    protected override void ImportCore(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, double> scalars) { }
}
