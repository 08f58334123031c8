using Descent.Nn;
using Descent.Optim.LineSearch;
using Descent.Tensors;

namespace Descent.Optim.SecondOrder;

/// <summary>
/// BFGS (Broyden, Fletcher, Goldfarb, Shanno 1970; Nocedal &amp; Wright Algorithm 6.1): a dense approximation
/// H ≈ ∇²f⁻¹, the direction p = −Hg, a strong Wolfe line search (c₂ = 0.9), then the update
/// <c>H ← (I − ρsyᵀ)H(I − ρysᵀ) + ρssᵀ</c> with s = θ₊ − θ, y = g₊ − g, ρ = 1/yᵀs. The Wolfe curvature condition
/// makes yᵀs &gt; 0, which keeps H positive definite; a pair with yᵀs ≤ 10⁻¹⁰‖s‖‖y‖ (possible after an
/// Armijo-only step, or with mini-batch noise) is skipped. Before the first update H is scaled to
/// (yᵀs/yᵀy)·I (N&amp;W eq. 6.20). Dense: small models only (n² doubles).
/// </summary>
public sealed class Bfgs : SearchMethod
{
    private double[] h = [];
    private Tensor? direction, gradient0;
    private bool updated;
    private double previousValue = double.NaN;

    /// <summary>The description and keys.</summary>
    public static OptimizerInfo Definition { get; } = new("bfgs",
        "BFGS quasi-Newton method (dense inverse-Hessian approximation; small models)",
        "p = −Hg; α from a line search; s = αp, y = g₊ − g; H ← (I − ρsyᵀ)H(I − ρysᵀ) + ρssᵀ, ρ = 1/yᵀs",
        "Nocedal & Wright 2006, Algorithm 6.1 (Broyden; Fletcher; Goldfarb; Shanno 1970)",
        [
            LineSearchKeys.Kind(allowNone: false),
            LineSearchKeys.C1,
            LineSearchKeys.C2(0.9),
            LineSearchKeys.MaxEvals,
            Hp.Flag("scale_initial", true, "scale H to (yᵀs/yᵀy)·I before the first update (N&W eq. 6.20)"),
            Hp.Integer("max_params", 2000, "largest parameter count (H is a dense n×n matrix)", min: 1),
        ]);

    /// <summary>Creates the method.</summary>
    public Bfgs(OptimizerSettings settings) : base(Definition, settings) => Check(settings);

    /// <summary>Updates skipped because yᵀs was not positive enough.</summary>
    public int SkippedUpdates { get; private set; }

    /// <summary>A copy of the inverse-Hessian approximation H (n×n, row-major).</summary>
    public double[] InverseHessian => (double[])h.Clone();

    /// <inheritdoc />
    protected override IReadOnlyCollection<string> FixedKeys => ["max_params"];

    /// <inheritdoc />
    protected override void Check(OptimizerSettings settings) => LineSearchKeys.Check(settings);

    /// <inheritdoc />
    protected override void Allocate(FlatParameters parameters)
    {
        int n = parameters.Count;
        Dense.CheckSize(Name, n, Settings.Integer("max_params"), "lbfgs");
        h = new double[n * n];
        for (int i = 0; i < n; i++) h[i * n + i] = 1;
        direction = FlatVector.Zeros(n, parameters.DType);
        gradient0 = FlatVector.Zeros(n, parameters.DType);
    }

    /// <inheritdoc />
    protected override StepOutcome Iterate(IObjective objective, double value, double gradientNorm)
    {
        int n = Parameters.Count;
        var g = StartGradient.ToDoubleArray();
        var p = new double[n];
        Dense.MatVec(h, n, g, p);
        for (int i = 0; i < n; i++) p[i] = -p[i];
        double slope = Dense.Dot(g, p);
        string note = "";
        if (!(slope < 0))
        {
            Array.Clear(h);
            for (int i = 0; i < n; i++) { h[i * n + i] = 1; p[i] = -g[i]; }
            slope = -Dense.Dot(g, g);
            updated = false;
            note = "H reset (not a descent direction); ";
        }
        FlatVector.FromDoubles(p, direction!);
        double alpha0 = updated ? 1 : LineSearchKeys.InitialStep(value, previousValue, slope, gradientNorm);
        previousValue = value;
        gradient0!.CopyFrom(StartGradient);
        var (search, outcome) = SearchAlong(objective, LineSearchKeys.Create(Settings, true)!, direction!, value, slope, alpha0, true);
        if (!outcome.Moved) return outcome with { Message = note + outcome.Message };
        var s = new double[n];
        var y = new double[n];
        var g1 = Parameters.Grads.ToDoubleArray();
        for (int i = 0; i < n; i++) { s[i] = search.Alpha * p[i]; y[i] = g1[i] - g[i]; }
        note += Update(s, y) ? "" : "update skipped (yᵀs ≤ 0); ";
        return outcome with { Message = note + outcome.Message };
    }

    private bool Update(double[] s, double[] y)
    {
        int n = s.Length;
        double ys = Dense.Dot(y, s);
        if (!(ys > 1e-10 * Math.Sqrt(Dense.Dot(s, s) * Dense.Dot(y, y))))
        {
            SkippedUpdates++;
            return false;
        }
        if (!updated && Settings.Flag("scale_initial"))
        {
            double gamma = ys / Dense.Dot(y, y);
            for (int i = 0; i < n * n; i++) h[i] *= gamma;
        }
        updated = true;
        double rho = 1 / ys;
        var hy = new double[n];
        Dense.MatVec(h, n, y, hy);
        double yhy = Dense.Dot(y, hy);
        // H₊ = H − ρ(Hy sᵀ + s yᵀH) + (ρ² yᵀHy + ρ) ssᵀ  (the product form expanded; H symmetric)
        double c = rho * rho * yhy + rho;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                h[i * n + j] += -rho * (hy[i] * s[j] + s[i] * hy[j]) + c * s[i] * s[j];
        return true;
    }

    /// <inheritdoc />
    protected override void ExportCore(Dictionary<string, Tensor> tensors, Dictionary<string, double> scalars)
    {
        int n = Parameters.Count;
        tensors["bfgs.inverse_hessian"] = Tensor.From((double[])h.Clone(), n, n);
        scalars["bfgs.updated"] = updated ? 1 : 0;
        scalars["bfgs.previous_value"] = previousValue;
        scalars["bfgs.skipped_updates"] = SkippedUpdates;
    }

    /// <inheritdoc />
    protected override void ImportCore(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, double> scalars)
    {
        int n = Parameters.Count;
        var t = Tensor.Zeros(new Shape(n, n), DType.Float64);
        Restore(tensors, "bfgs.inverse_hessian", t);
        h = t.ToDoubleArray();
        updated = Saved(scalars, "bfgs.updated") != 0;
        previousValue = Saved(scalars, "bfgs.previous_value");
        SkippedUpdates = (int)Saved(scalars, "bfgs.skipped_updates");
    }
}
