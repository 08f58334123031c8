using System.Numerics;
using System.Runtime.CompilerServices;
using Descent.Optim.Fused;

namespace Descent.Optim.Rules;

/// <summary>
/// RMSProp's scaling (Hinton, Srivastava &amp; Swersky 2012, lecture 6e; Goodfellow et al. 2016, Alg. 8.5):
/// <c>r ← ρr + (1−ρ)u⊙u</c>, <c>u ← u/(δ + √r)</c>, or <c>u/√(δ + r)</c> with <c>eps_inside</c>. Centered
/// (Graves 2013): also <c>ḡ ← ρḡ + (1−ρ)u</c>, and <c>r − ḡ²</c> (the variance) replaces r.
/// </summary>
public unsafe struct ScaleByRms : IRule<ScaleByRms>
{
    private double rho, eps, fold, q1;
    private bool inside, centered;
    private int slot;

    /// <inheritdoc />
    public static IReadOnlyList<HyperparameterSpec> Keys { get; } =
    [
        Hp.Beta("rho", 0.9, "ρ, decay of the squared-gradient average") with { Alias = "alpha" },
        Hp.Positive("eps", 1e-6, "δ"),
        Hp.Flag("eps_inside", false, "put δ inside the root, μ/√(δ + r) (Goodfellow et al. 2016, Alg. 8.5)") with { PerGroup = false },
        Hp.Flag("centered", false, "divide by the estimated standard deviation (Graves 2013)") with { PerGroup = false },
    ];

    /// <inheritdoc />
    public static ScaleByRms Create(OptimizerSettings settings) => new()
    {
        rho = settings.Real("rho"), eps = settings.Real("eps"), inside = settings.Flag("eps_inside"), centered = settings.Flag("centered"),
        q1 = 1 - settings.Real("rho"),
    };

    /// <inheritdoc />
    public void Bind(List<StateSlot> slots) =>
        slot = centered ? Rule.Add(slots, new StateSlot("square_avg"), new StateSlot("grad_avg")) : Rule.Add(slots, new StateSlot("square_avg"));

    /// <inheritdoc />
    public void Describe(List<RuleText> lines)
    {
        string r = centered ? "ḡ ← ρḡ + (1−ρ)u; r ← ρr + (1−ρ)u⊙u; u ← u/" : "r ← ρr + (1−ρ)u⊙u; u ← u/";
        string root = centered ? (inside ? "√(r − ḡ² + δ)" : "(√(r − ḡ²) + δ)") : (inside ? "√(r + δ)" : "(√r + δ)");
        lines.Add(new("scale_by_rms", r + root, centered
            ? "Hinton, Srivastava & Swersky 2012; Graves 2013 (centered)"
            : "Hinton, Srivastava & Swersky 2012 (lecture 6e); Goodfellow et al. 2016, Alg. 8.5"));
    }

    /// <inheritdoc />
    public LookAhead? LookAhead => null;

    /// <inheritdoc />
    public void Prepare(in RuleStep step) => fold = 1;

    /// <inheritdoc />
    public double? Scalar => null;

    /// <inheritdoc />
    public bool Fold(double factor)
    {
        fold = factor;
        return true;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Apply<TV, T>(ref TV u, ref TV x, T** state, nint i)
        where TV : struct, ISimd<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TV p = Rule.K<TV, T>(rho), q = Rule.K<TV, T>(q1), e = Rule.K<TV, T>(eps);
        var sq = Rule.Load<TV, T>(state, slot, i) * p + q * (u * u);
        Rule.Store(sq, state, slot, i);
        var second = sq;
        if (centered)
        {
            var ga = Rule.Load<TV, T>(state, slot + 1, i) * p + q * u;
            Rule.Store(ga, state, slot + 1, i);
            // torch.optim: square_avg.addcmul(grad_avg, grad_avg, value=-1)
            second = sq + TV.Splat(-T.One) * (ga * ga);
        }
        u = Rule.K<TV, T>(fold) * u / (inside ? TV.Sqrt(second + e) : TV.Sqrt(second) + e);
    }
}
