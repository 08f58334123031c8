using System.Globalization;
using Descent.Nn;
using Descent.Optim.LineSearch;
using Descent.Tensors;

namespace Descent.Optim.SecondOrder;

/// <summary>
/// Natural gradient descent (Amari 1998): <c>Δθ = −lr·(F + λI)⁻¹g</c> with F the Fisher information of the
/// model's predictive distribution — the steepest descent direction when distances are measured by the KL
/// divergence between predictions rather than in parameter space. F is given by matrix-vector products
/// from the curvature layer (the true Fisher, equal to the Gauss-Newton matrix for softmax cross-entropy;
/// or the Monte Carlo or the empirical Fisher) on the current batch, and the system is solved by linear
/// conjugate gradients to a relative residual <c>cg_tol</c> within <c>cg_max_iter</c> products (the
/// "Hessian-free natural gradient" of Pascanu &amp; Bengio 2014). With <c>line_search=armijo</c> the step
/// length backtracks from lr until f decreases. Needs a model objective.
/// </summary>
public sealed class NaturalGradient : SearchMethod
{
    private Tensor? b, x;

    /// <summary>The description and keys.</summary>
    public static OptimizerInfo Definition { get; } = new("natural-gradient",
        "natural gradient: the Fisher system (F + λI)Δ = −g solved by conjugate gradients",
        "solve (F + λI)Δ = −g by CG (Fisher-vector products); θ ← θ + lr·Δ (or α from a backtracking line search)",
        "Amari 1998; Pascanu & Bengio 2014",
        [
            Hp.Lr(1, description: "step length on the natural-gradient direction"),
            Hp.Positive("damping", 1e-3, "Tikhonov damping λ added to the Fisher"),
            Hp.Choice("fisher", "fisher", "the metric: fisher (true Fisher = GGN for cross-entropy), fisher-sampled (Monte Carlo), fisher-empirical", "fisher", "fisher-sampled", "fisher-empirical"),
            Hp.Integer("curvature_batch", 0, "examples of the batch the curvature products use (its first ones; 0: all) — Martens estimates G on a smaller batch than ∇f"),
            Hp.Integer("cg_max_iter", 20, "CG iterations (Fisher-vector products) per step at most", min: 1),
            Hp.Positive("cg_tol", 1e-2, "CG stops when ‖r‖ ≤ cg_tol·‖g‖"),
            Hp.Choice("line_search", "armijo", "armijo: backtracking from lr until f decreases enough; none: the step lr·Δ (can diverge with little damping)", "armijo", "none"),
        ]);

    /// <summary>Creates the method.</summary>
    public NaturalGradient(OptimizerSettings settings) : base(Definition, settings) { }

    /// <summary>The last CG solve.</summary>
    public CgResult? LastSolve { get; private set; }

    /// <inheritdoc />
    protected override void Allocate(FlatParameters parameters)
    {
        b = FlatVector.Zeros(parameters.Count, DType.Float64);
        x = FlatVector.Zeros(parameters.Count, DType.Float64);
    }

    /// <inheritdoc />
    protected override StepOutcome Iterate(IObjective objective, double value, double gradientNorm)
    {
        if (objective is not Objective)
            throw new ConfigurationException("natural-gradient needs a network's predictive distribution for its Fisher (descent train); a test function has none — use newton, hessian-free or lbfgs.");
        var (fisher, _) = CurvatureChoice.Create(Name, Settings["fisher"], objective, (ulong)StepCount, Settings.Integer("curvature_batch"));
        long p0 = fisher.Products;
        double lambda = Settings.Real("damping");
        b!.CopyFrom(StartGradient);
        b.MulInPlace(-1);
        x!.Zero();
        LastSolve = LinearConjugateGradient.Solve((v, into) =>
        {
            fisher.Apply(v.Doubles, into.Doubles);
            FlatVector.Axpy(lambda, v, into);
        }, b, x, new CgOptions((int)Settings.Integer("cg_max_iter"), Settings.Real("cg_tol")));
        CurvatureWork += (int)(fisher.Products - p0);
        var direction = FlatVector.Zeros(Parameters.Count, Parameters.DType);
        direction.CopyFrom(x);
        double lr = LearningRate;
        string what = $"CG {LastSolve.Iterations} iterations ({LastSolve.Reason})";
        if (Settings["line_search"] == "none")
        {
            double f = new Ray(objective, StartPoint, direction).MoveTo(lr, WantEndGradient);
            return StepOutcome.Step($"{what}, step lr = {lr.ToString("G3", CultureInfo.InvariantCulture)}", f, WantEndGradient);
        }
        double slope = FlatVector.Dot(StartGradient, direction);
        var (_, outcome) = SearchAlong(objective, new Backtracking(), direction, value, slope, lr, WantEndGradient);
        return outcome with { Message = $"{what}; {outcome.Message}" };
    }

    /// <inheritdoc />
    protected override void ExportCore(Dictionary<string, Tensor> tensors, Dictionary<string, double> scalars) { }

    /// <inheritdoc />
    protected override void ImportCore(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, double> scalars) { }
}
