using System.Globalization;
using Descent.Data;
using Descent.Nn;
using Descent.Optim.LineSearch;
using Descent.Tensors;

namespace Descent.Optim.SecondOrder;

/// <summary>
/// Newton's method for small models: the dense Hessian H from n Hessian-vector products, then the step
/// <c>Δθ = −(H + λI)⁻¹g</c> of the quadratic Taylor model. With <c>mode=lm</c> (the default) the damping λ
/// follows Levenberg-Marquardt (Levenberg 1944, Marquardt 1963; Nocedal &amp; Wright §10.3): λ rises by
/// <c>damping_factor</c> until the Cholesky factorization of H + λI succeeds and the step reduces f, and
/// adapts to the reduction ratio ρ = (f(θ+Δθ) − f(θ)) / (gᵀΔθ + ½ΔθᵀHΔθ) (ρ &lt; ¼: λ up; ρ &gt; ¾: λ down, to
/// 0 below a floor), so near a minimum it takes full Newton steps and converges quadratically; on a quadratic
/// with λ = 0 it lands on the minimum in one step. With <c>mode=pure</c> it takes −H⁻¹g whatever H's
/// inertia (through the eigendecomposition): the textbook iteration, attracted to saddles and maxima too.
/// </summary>
public sealed class Newton : SearchMethod
{
    private double lambda;

    /// <summary>The description and keys.</summary>
    public static OptimizerInfo Definition { get; } = new("newton",
        "Newton's method with Levenberg-Marquardt damping (dense Hessian; small models)",
        "H = ∇²f (n Hessian-vector products); solve (H + λI)Δθ = −g by Cholesky; θ ← θ + Δθ if f decreases,\nλ adapted by ρ = Δf / (gᵀΔθ + ½ΔθᵀHΔθ)",
        "Nocedal & Wright 2006, §3.3 and §10.3 (Levenberg 1944; Marquardt 1963)",
        [
            Hp.Choice("mode", "lm", "lm: Levenberg-Marquardt damping (a descent method); pure: Δθ = −H⁻¹g whatever H's signs (goes to saddles too)", "lm", "pure"),
            Hp.NonNegative("damping", 0, "initial damping λ (mode=lm)"),
            Hp.Real("damping_factor", 10, "factor by which λ rises on failure and falls after a good step", min: 1, minExclusive: true),
            Hp.Integer("max_params", 1000, "largest parameter count (the Hessian is dense: n products and n² doubles per step)", min: 1),
        ]);

    /// <summary>Creates the method.</summary>
    public Newton(OptimizerSettings settings) : base(Definition, settings) => lambda = settings.Real("damping");

    /// <summary>The damping λ the next step starts from.</summary>
    public double Damping => lambda;

    /// <summary>The damping λ of the last accepted step.</summary>
    public double LastDamping { get; private set; } = double.NaN;

    /// <inheritdoc />
    protected override void Allocate(FlatParameters parameters) =>
        Dense.CheckSize(Name, parameters.Count, Settings.Integer("max_params"), "lbfgs, cg or hessian-free");

    /// <inheritdoc />
    protected override StepOutcome Iterate(IObjective objective, double value, double gradientNorm)
    {
        var flat = Parameters;
        int n = flat.Count;
        var g = StartGradient.ToDoubleArray();
        if (gradientNorm == 0) return new StepOutcome(SearchStatus.Stepped, "∇f = 0: nothing to do", false, value, true);
        var h = Dense.Hessian(objective);
        var p = new double[n];
        var direction = FlatVector.Zeros(n, flat.DType);
        if (Settings["mode"] == "pure")
        {
            var eig = SymmetricEigen.Decompose(h, n);
            double max = eig.Values.Max(Math.Abs);
            for (int k = 0; k < n; k++)
            {
                if (Math.Abs(eig.Values[k]) <= 1e-12 * max) continue;
                var q = eig.Vector(k);
                double c = -Dense.Dot(q, g) / eig.Values[k];
                for (int i = 0; i < n; i++) p[i] += c * q[i];
            }
            FlatVector.FromDoubles(p, direction);
            double f = new Ray(objective, StartPoint, direction).MoveTo(1, WantEndGradient);
            return StepOutcome.Step("full Newton step −H⁻¹g", f, WantEndGradient);
        }
        double factor = Settings.Real("damping_factor");
        double floor = 1e-3 * Math.Max(1e-12, Enumerable.Range(0, n).Max(i => Math.Abs(h[i * n + i])));
        var l = new double[n * n];
        var hp = new double[n];
        var ray = new Ray(objective, StartPoint, direction);
        for (int tries = 0; tries < 60; tries++)
        {
            if (!Dense.Cholesky(h, n, lambda, l))
            {
                lambda = Math.Max(lambda * factor, floor);
                continue;
            }
            for (int i = 0; i < n; i++) p[i] = -g[i];
            Dense.CholeskySolve(l, n, p);
            Dense.MatVec(h, n, p, hp);
            double predicted = Dense.Dot(g, p) + 0.5 * Dense.Dot(p, hp);
            FlatVector.FromDoubles(p, direction);
            var trial = ray.Evaluate(1, WantEndGradient);
            double rho = (trial.Value - value) / predicted;
            if (double.IsFinite(trial.Value) && trial.Value < value && rho > 1e-4)
            {
                string used = lambda.ToString("G3", CultureInfo.InvariantCulture);
                LastDamping = lambda;
                if (rho > 0.75) lambda = lambda / factor < floor * 1e-3 ? 0 : lambda / factor;
                else if (rho < 0.25) lambda = Math.Max(lambda * factor, floor);
                return StepOutcome.Step($"Newton step with λ = {used}, ρ = {rho:G3}", trial.Value, WantEndGradient);
            }
            lambda = Math.Max(lambda * factor, floor);
        }
        return StepOutcome.Stay(SearchStatus.LineSearchFailed, $"no damping up to λ = {lambda:G3} gave a decrease of f");
    }

    /// <inheritdoc />
    protected override void ExportCore(Dictionary<string, Tensor> tensors, Dictionary<string, double> scalars) => scalars["newton.damping"] = lambda;

    /// <inheritdoc />
    protected override void ImportCore(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, double> scalars) =>
        lambda = Saved(scalars, "newton.damping");
}
