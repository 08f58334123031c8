using System.Globalization;
using Descent.Nn;
using Descent.Optim.LineSearch;
using Descent.Tensors;

namespace Descent.Optim.SecondOrder;

/// <summary>
/// Hessian-free optimization, a truncated Newton method (Martens 2010, "Deep learning via Hessian-free
/// optimization"; Martens &amp; Sutskever 2012, "Training deep and recurrent networks with Hessian-free
/// optimization"): each step minimizes the damped quadratic model <c>q(p) = gᵀp + ½pᵀ(G + λI)p</c> by linear
/// conjugate gradients, with G the Gauss-Newton matrix (<c>curvature=ggn</c>; the Hessian with
/// <c>curvature=hessian</c>, or for objectives without a model) given only through matrix-vector products,
/// on the batch's first <c>curvature_batch</c> examples (the gradient uses the whole batch). Martens'
/// ingredients, each a setting:
/// <list type="bullet">
/// <item>CG is preconditioned by M = (diag F + λ)^ξ, F the empirical Fisher of the curvature examples
/// (<see cref="EmpiricalFisherDiagonal"/>), ξ = ¾ (§4.7);</item>
/// <item>CG stops by the relative-progress rule (§4.4) and starts from ζ times the previous step's last CG
/// iterate (§4.5; ζ = 0.95 as in Martens &amp; Sutskever 2012);</item>
/// <item>CG backtracking: the iterates at ⌈1.3ʲ⌉ are kept and the step is the best of them by f on the batch
/// (<see cref="CgBacktracking"/>, §4.6);</item>
/// <item>the damping follows the reduction ratio <c>ρ = (f_c(θ+p) − f_c(θ))/(gᵀp + ½pᵀGp)</c> of the chosen
/// step by <see cref="LevenbergMarquardt"/> (§4.1), with f_c the objective on the curvature examples and the
/// undamped model in the denominator (the damping is what ρ judges);</item>
/// <item>a backtracking line search on the chosen step (Armijo, c₁ = 10⁻², as in Martens &amp; Sutskever 2012).</item>
/// </list>
/// CG runs in float64 whatever the parameters' type.
/// </summary>
public sealed class HessianFree : SearchMethod
{
    private Tensor? previous, b, x;
    private double lambda;

    /// <summary>The description and keys.</summary>
    public static OptimizerInfo Definition { get; } = new("hessian-free",
        "Hessian-free (truncated Newton): preconditioned CG on the damped Gauss-Newton model (Martens 2010)",
        "minimize q(p) = gᵀp + ½pᵀ(G + λI)p by CG preconditioned with (diag F + λ)^ξ, from ζ·p₋ (Gv products);\nbacktrack over CG iterates by f; λ ← 3/2λ if ρ < ¼, 2/3λ if ρ > ¾ (ρ = Δf/q(p)); θ ← θ + αp (Armijo line search)",
        "Martens 2010; Martens & Sutskever 2012",
        [
            Hp.Choice("curvature", "auto", "the matrix: auto (ggn for a model, the Hessian for a plain function), ggn, hessian, fisher", "auto", "ggn", "hessian", "fisher"),
            Hp.Positive("damping", 1, "initial Tikhonov damping λ (adapted every step by ρ)"),
            Hp.Integer("curvature_batch", 1000, "examples of the batch the curvature products, the preconditioner and ρ use (its first ones; 0: all) — Martens estimates G on a smaller batch than ∇f"),
            Hp.Integer("cg_max_iter", 20, "CG iterations per step at most (Martens allows 250 on very large batches; on batches of a few thousand examples 50 gained nothing over 20 on fmnist_mlp)", min: 1),
            Hp.NonNegative("cg_epsilon", 5e-4, "ε of Martens' relative-progress stopping rule (0: stop only on the residual or the budget)"),
            Hp.Real("warm_decay", 0.95, "ζ: CG starts from ζ times the previous step's CG solution (0: from zero)", 0, 1),
            Hp.Choice("preconditioner", "auto", "CG preconditioner: fisher-diagonal ((diag F + λ)^ξ, F the empirical Fisher; needs a model), none, or auto (fisher-diagonal for a model, none for a function)", "auto", "fisher-diagonal", "none"),
            Hp.Real("precondition_exponent", 0.75, "ξ of the preconditioner (diag F + λ)^ξ", 0, 1),
            Hp.Flag("backtrack", true, "CG backtracking: take the best of the iterates at ⌈1.3ʲ⌉ by f"),
            Hp.Choice("line_search", "armijo", "armijo: backtracking on the chosen step (c₁ = 10⁻²); none: take it", "armijo", "none"),
        ])
    {
        // A step fits a quadratic model to its batch: on Adam's 128 examples it mostly fits their noise.
        PreferredBatchSize = 5000,
    };

    /// <summary>Creates the method.</summary>
    public HessianFree(OptimizerSettings settings) : base(Definition, settings) => lambda = settings.Real("damping");

    /// <summary>The damping λ for the next step.</summary>
    public double Damping => lambda;

    /// <summary>The last CG solve.</summary>
    public CgResult? LastSolve { get; private set; }

    /// <summary>The reduction ratio ρ of the last step.</summary>
    public double LastRho { get; private set; } = double.NaN;

    /// <summary>The CG iteration whose iterate the last step took (after backtracking).</summary>
    public int LastChosenIteration { get; private set; }

    /// <summary>The diagonal preconditioner M of the last CG solve (null without one).</summary>
    public double[]? LastPreconditioner { get; private set; }

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
        var examples = CurvatureExamples.Of(objective, Settings.Integer("curvature_batch"));
        var (curvature, outside) = CurvatureChoice.Create(Name, Settings["curvature"], objective, (ulong)StepCount, examples.Count);
        long products0 = curvature.Products;
        double lam = lambda;
        var precondition = Preconditioner(objective, examples, lam);
        double fc0 = examples.Subset?.Evaluate(computeGradient: false) ?? value;
        b!.CopyFrom(StartGradient);
        b.MulInPlace(-1);
        x!.CopyFrom(previous!);
        x.MulInPlace(Settings.Real("warm_decay"));
        void Apply(Tensor v, Tensor into)
        {
            curvature.Apply(v.Doubles, into.Doubles);
            FlatVector.Axpy(lam, v, into);
        }
        var saved = new List<(int Iteration, Tensor X, double Q)>();
        bool backtrack = Settings.Flag("backtrack");
        var options = new CgOptions((int)Settings.Integer("cg_max_iter"), 1e-12, Settings.Real("cg_epsilon"));
        var cg = LinearConjugateGradient.Solve(Apply, b, x, options, it =>
        {
            if (backtrack && CgBacktracking.OnGrid(it.Iteration)) saved.Add((it.Iteration, it.X.CloneUnscoped(), it.Value));
        }, precondition);
        LastSolve = cg;
        if (outside) CurvatureWork += (int)(curvature.Products - products0);
        previous!.CopyFrom(x);
        if (saved.Count == 0 || saved[^1].Iteration != cg.Iterations) saved.Add((cg.Iterations, x.CloneUnscoped(), cg.Value));

        // CG backtracking on the whole batch; then ρ on the curvature examples against the undamped model.
        var direction = FlatVector.Zeros(n, flat.DType);
        var ray = new Ray(objective, StartPoint, direction);
        var (chosen, best, _) = CgBacktracking.Choose(saved.Count, k =>
        {
            direction.CopyFrom(saved[k].X);
            return ray.Evaluate(1, false).Value;
        });
        direction.CopyFrom(saved[chosen].X);
        ray = new Ray(objective, StartPoint, direction);
        LastChosenIteration = saved[chosen].Iteration;
        double norm = FlatVector.Norm(direction);
        double model = saved[chosen].Q - 0.5 * lam * norm * norm;
        double fc = best;
        if (examples.Subset is { } subset)
        {
            ray.MoveTo(1, false);
            fc = subset.Evaluate(computeGradient: false);
            EvaluationWork += 2;
        }
        double rho = (fc - fc0) / model;
        LastRho = rho;
        lambda = LevenbergMarquardt.Adjust(lambda, double.IsFinite(fc) ? rho : double.NaN);
        var ic = CultureInfo.InvariantCulture;
        string what = string.Create(ic, $"CG {cg.Iterations} iterations ({cg.Reason}{(precondition is null ? "" : ", preconditioned")}), iterate {saved[chosen].Iteration} chosen, ") +
            string.Create(ic, $"q = {model:G3}, Δf = {fc - fc0:G3}, ρ = {rho:G3}, λ = {lam:G3}, ‖p‖ = {norm:G3}");
        double slope = FlatVector.Dot(StartGradient, direction);
        if (Settings["line_search"] == "none")
        {
            double f = ray.MoveTo(1, WantEndGradient);
            return StepOutcome.Step(what, double.IsNaN(f) ? best : f, WantEndGradient);
        }
        if (!(slope < 0)) return StepOutcome.Stay(SearchStatus.Rejected, $"{what}; not a descent direction");
        double known = best;
        LineFunction phi = (a, withSlope) => a == 1 && !withSlope && double.IsFinite(known) ? new LinePoint(1, known, double.NaN) : ray.Evaluate(a, withSlope);
        var search = new Backtracking(1e-2, 20).Search(phi, value, slope, 1);
        if (!search.Success) return StepOutcome.Stay(SearchStatus.Rejected, $"{what}; {search.Message}");
        ray.MoveTo(search.Alpha, WantEndGradient);
        return StepOutcome.Step(string.Create(ic, $"{what}, α = {search.Alpha:G3}"), search.Value, WantEndGradient);
    }

    /// <summary>M = (diag F + λ)^ξ on the curvature examples, or null (no preconditioner).</summary>
    private double[]? Preconditioner(IObjective objective, CurvatureExamples examples, double lam)
    {
        string choice = Settings["preconditioner"];
        if (choice == "none" || (choice == "auto" && objective is not Objective)) return null;
        if (objective is not Objective model)
            throw new ConfigurationException($"{Name}: preconditioner={choice} needs a model's per-example gradients (descent train); a test function has none — use --set preconditioner=none.");
        var d = EmpiricalFisherDiagonal.Compute(model.Model, model.Loss, model.Penalties, examples.Inputs!, examples.Targets!,
            Rng.Stream((ulong)StepCount, "hessian-free").NextUInt64());
        CurvatureWork++;
        double xi = Settings.Real("precondition_exponent");
        for (int i = 0; i < d.Length; i++) d[i] = Math.Pow(d[i] + lam, xi);
        LastPreconditioner = d;
        return d;
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
