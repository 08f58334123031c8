using System.Globalization;
using Descent.Curvature;
using Descent.Nn;
using Descent.Optim.LineSearch;
using Descent.Tensors;

namespace Descent.Optim.SecondOrder;

/// <summary>
/// Hessian-free optimization, a truncated Newton method (Martens 2010, "Deep learning via Hessian-free
/// optimization"): each step minimizes the damped quadratic model <c>q(p) = gᵀp + ½pᵀ(G + λI)p</c> by linear
/// conjugate gradients, with G the Gauss-Newton matrix (<c>curvature=ggn</c>; the Hessian with
/// <c>curvature=hessian</c>, or for objectives without a model) given only through matrix-vector products.
/// Martens' ingredients: CG stops by his relative-progress rule (§4.4: at iteration i &gt; k = max(10, 0.1i)
/// once (q(p_i) − q(p_{i−k}))/q(p_i) &lt; kε, ε = 5·10⁻⁴); it starts from the previous solution times ζ = 0.95
/// (warm start, §4.5; ζ from Martens &amp; Sutskever 2012); "CG backtracking" keeps the iterates at
/// i = ⌈1.3ʲ⌉ and takes the last one before f stops decreasing (§4.6); the damping follows the reduction ratio
/// <c>ρ = (f(θ+p) − f(θ))/q(p)</c> (§4.1: ρ &lt; ¼ ⇒ λ ← 3/2λ, ρ &gt; ¾ ⇒ λ ← 2/3λ). A backtracking line search on
/// the chosen p (Martens &amp; Sutskever 2012, c = 10⁻²) guards against steps that do not decrease f. CG runs in
/// float64 whatever the parameters' type.
/// </summary>
public sealed class HessianFree : SearchMethod
{
    private Tensor? previous, b, x;
    private double lambda;

    /// <summary>The description and keys.</summary>
    public static OptimizerInfo Definition { get; } = new("hessian-free",
        "Hessian-free (truncated Newton): CG on the damped Gauss-Newton model, Martens' stopping rule, warm starts",
        "minimize q(p) = gᵀp + ½pᵀ(G + λI)p by CG from ζ·p₋ (Gv products); backtrack over CG iterates;\nλ ← 3/2λ if ρ < ¼, 2/3λ if ρ > ¾ (ρ = Δf/q(p)); θ ← θ + αp (backtracking line search)",
        "Martens 2010; Martens & Sutskever 2012",
        [
            Hp.Choice("curvature", "auto", "the matrix: auto (ggn for a model, the Hessian for a plain function), ggn, hessian, fisher", "auto", "ggn", "hessian", "fisher"),
            Hp.Positive("damping", 1, "initial Tikhonov damping λ (adapted every step)"),
            Hp.Integer("curvature_batch", 0, "examples of the batch the curvature products use (its first ones; 0: all) — Martens estimates G on a smaller batch than ∇f"),
            Hp.Integer("cg_max_iter", 250, "CG iterations per step at most", min: 1),
            Hp.NonNegative("cg_epsilon", 5e-4, "ε of Martens' relative-progress stopping rule (0: stop only on the residual or the budget)"),
            Hp.Real("warm_decay", 0.95, "ζ: CG starts from ζ times the previous step's solution (0: from zero)", 0, 1),
            Hp.Flag("backtrack", true, "CG backtracking: pick the best of the iterates at ⌈1.3ʲ⌉ by f"),
            Hp.Choice("line_search", "armijo", "armijo: backtracking on the chosen step (c₁ = 10⁻²); none: take it", "armijo", "none"),
        ]);

    /// <summary>Creates the method.</summary>
    public HessianFree(OptimizerSettings settings) : base(Definition, settings) => lambda = settings.Real("damping");

    /// <summary>The damping λ for the next step.</summary>
    public double Damping => lambda;

    /// <summary>The last CG solve.</summary>
    public CgResult? LastSolve { get; private set; }

    /// <summary>The reduction ratio ρ of the last step.</summary>
    public double LastRho { get; private set; } = double.NaN;

    /// <inheritdoc />
    protected override void Allocate(FlatParameters parameters)
    {
        previous = FlatVector.Zeros(parameters.Count, DType.Float64);
        b = FlatVector.Zeros(parameters.Count, DType.Float64);
        x = FlatVector.Zeros(parameters.Count, DType.Float64);
    }

    /// <inheritdoc />
    protected override StepOutcome Iterate(IObjective objective, double value, double gradientNorm)
    {
        var flat = Parameters;
        int n = flat.Count;
        var (curvature, outside) = CurvatureChoice.Create(Name, Settings["curvature"], objective, (ulong)StepCount, Settings.Integer("curvature_batch"));
        long products0 = curvature.Products;
        b!.CopyFrom(StartGradient);
        b.MulInPlace(-1);
        x!.CopyFrom(previous!);
        x.MulInPlace(Settings.Real("warm_decay"));
        double lam = lambda;
        void Apply(Tensor v, Tensor into)
        {
            curvature.Apply(v.Doubles, into.Doubles);
            FlatVector.Axpy(lam, v, into);
        }
        var saved = new List<(int Iteration, Tensor X, double Q)>();
        int next = 1, j = 0;
        bool backtrack = Settings.Flag("backtrack");
        var cg = LinearConjugateGradient.Solve(Apply, b, x, new CgOptions((int)Settings.Integer("cg_max_iter"), 1e-12, Settings.Real("cg_epsilon")), it =>
        {
            if (!backtrack || it.Iteration != next) return;
            saved.Add((it.Iteration, it.X.CloneUnscoped(), it.Value));
            while (next <= it.Iteration) next = (int)Math.Ceiling(Math.Pow(1.3, ++j));
        });
        LastSolve = cg;
        if (outside) CurvatureWork += (int)(curvature.Products - products0);
        previous!.CopyFrom(x);
        if (saved.Count == 0 || saved[^1].Iteration != cg.Iterations) saved.Add((cg.Iterations, x.CloneUnscoped(), cg.Value));

        // CG backtracking: from the last iterate back while f keeps decreasing.
        var direction = FlatVector.Zeros(n, flat.DType);
        var ray = new Ray(objective, StartPoint, direction);
        int chosen = saved.Count - 1;
        direction.CopyFrom(saved[chosen].X);
        double best = ray.Evaluate(1, false).Value;
        while (chosen > 0)
        {
            direction.CopyFrom(saved[chosen - 1].X);
            double f = ray.Evaluate(1, false).Value;
            if (!(f < best)) break;
            best = f;
            chosen--;
        }
        direction.CopyFrom(saved[chosen].X);
        ray = new Ray(objective, StartPoint, direction);
        double q = saved[chosen].Q;
        double rho = (best - value) / q;
        LastRho = rho;
        if (!double.IsFinite(best) || !(rho >= 0.25)) lambda *= 1.5;
        else if (rho > 0.75) lambda *= 2.0 / 3;
        string what = $"CG {cg.Iterations} iterations ({cg.Reason}), iterate {saved[chosen].Iteration} chosen, ρ = {rho.ToString("G3", CultureInfo.InvariantCulture)}, λ = {lam.ToString("G3", CultureInfo.InvariantCulture)}";
        double slope = FlatVector.Dot(StartGradient, direction);
        if (Settings["line_search"] == "none")
        {
            ray.MoveTo(1, WantEndGradient);
            return StepOutcome.Step(what, best, WantEndGradient);
        }
        if (!(slope < 0)) return StepOutcome.Stay(SearchStatus.Rejected, $"{what}; not a descent direction");
        double known = best;
        LineFunction phi = (a, withSlope) => a == 1 && !withSlope && double.IsFinite(known) ? new LinePoint(1, known, double.NaN) : ray.Evaluate(a, withSlope);
        var search = new Backtracking(1e-2, 20).Search(phi, value, slope, 1);
        if (!search.Success) return StepOutcome.Stay(SearchStatus.Rejected, $"{what}; {search.Message}");
        ray.MoveTo(search.Alpha, WantEndGradient);
        return StepOutcome.Step($"{what}, α = {search.Alpha:G3}", search.Value, WantEndGradient);
    }

    /// <inheritdoc />
    protected override void ExportCore(Dictionary<string, Tensor> tensors, Dictionary<string, double> scalars)
    {
        tensors["hf.previous"] = previous!.CloneUnscoped();
        scalars["hf.damping"] = lambda;
    }

    /// <inheritdoc />
    protected override void ImportCore(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, double> scalars)
    {
        Restore(tensors, "hf.previous", previous!);
        lambda = Saved(scalars, "hf.damping");
    }
}
