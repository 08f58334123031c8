using System.Numerics;
using System.Runtime.CompilerServices;
using Descent.Optim.Fused;

namespace Descent.Optim.Rules;

/// <summary>
/// NAdam's scaling (Dozat 2016, "Incorporating Nesterov Momentum into Adam"): Adam whose update looks one
/// momentum step ahead, with the momentum schedule <c>μₜ = β₁(1 − ½·0.96^(tψ))</c> (ψ = <c>momentum_decay</c>):
/// <c>u ← [(1−μₜ)/(1−Πᵢ≤ₜμᵢ)·u + μₜ₊₁/(1−Πᵢ≤ₜ₊₁μᵢ)·m]/(√v̂ + δ)</c>. With <c>variant=pytorch</c> the product
/// follows torch.optim.NAdam 1.13 (kept in float32, and its next-step product with an extra factor μₜ).
/// </summary>
public unsafe struct ScaleByNadam : IRule<ScaleByNadam>
{
    private double b1, b2, eps, psi, bc2, cg, cm, mu, prod, next, prodNext, c1, c2;
    private bool folded;
    private bool torch113;
    private int slot;
    private long cachedStep;
    private double product;
    private float product32;

    /// <inheritdoc />
    public static IReadOnlyList<HyperparameterSpec> Keys { get; } =
    [
        Hp.Beta("beta1", 0.9, "β₁"),
        Hp.Beta("beta2", 0.999, "β₂"),
        Hp.Positive("eps", 1e-8, "δ"),
        Hp.NonNegative("momentum_decay", 0.004, "ψ of the momentum schedule"),
    ];

    /// <inheritdoc />
    public static ScaleByNadam Create(OptimizerSettings settings) => new()
    {
        b1 = settings.Real("beta1"), b2 = settings.Real("beta2"), eps = settings.Real("eps"), psi = settings.Real("momentum_decay"),
        torch113 = settings.IsPytorch, product = 1, product32 = 1,
        c1 = 1 - settings.Real("beta1"), c2 = 1 - settings.Real("beta2"),
    };

    /// <inheritdoc />
    public void Bind(List<StateSlot> slots) => slot = Rule.Add(slots, new StateSlot("exp_avg"), new StateSlot("exp_avg_sq"));

    /// <inheritdoc />
    public void Describe(List<RuleText> lines) => lines.Add(new("scale_by_nadam",
        "μₜ = β₁(1 − ½·0.96^(tψ)); m, v as Adam; u ← [(1−μₜ)/(1−Πμᵢ)·u + μₜ₊₁/(1−Πμᵢ·μₜ₊₁)·m]/(√v̂ + δ)", "Dozat 2016"));

    /// <inheritdoc />
    public LookAhead? LookAhead => null;

    private static double Mu(long t, double beta1, double psi) => beta1 * (1 - 0.5 * Math.Pow(0.96, t * psi));

    /// <inheritdoc />
    public void Prepare(in RuleStep step)
    {
        long t = step.Step;
        if (t == cachedStep + 1)
        {
            product *= Mu(t, b1, psi);
            product32 *= (float)Mu(t, b1, psi);
        }
        else if (t != cachedStep)
        {
            // A jump (a resumed run): the running products from scratch.
            product = 1;
            product32 = 1;
            for (long s = 1; s <= t; s++)
            {
                product *= Mu(s, b1, psi);
                product32 *= (float)Mu(s, b1, psi);
            }
        }
        cachedStep = t;
        mu = Mu(t, b1, psi);
        next = Mu(t + 1, b1, psi);
        // torch.optim 1.13: mu_product is a float32 tensor and mu_product_next = mu_product * mu * mu_next.
        prod = torch113 ? product32 : product;
        prodNext = torch113 ? product32 * (float)mu * (float)next : product * next;
        cg = (1 - mu) / (1 - prod);
        cm = next / (1 - prodNext);
        bc2 = 1 - Math.Pow(b2, t);
        folded = false;
    }

    /// <inheritdoc />
    public double? Scalar => null;

    /// <inheritdoc />
    public bool Fold(double factor)
    {
        // As torch.optim writes them: (−μ·(1−μₜ))/(1−Π) and (−μ·μₜ₊₁)/(1−Π').
        cg = factor * (1 - mu) / (1 - prod);
        cm = factor * next / (1 - prodNext);
        folded = true;
        return true;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Apply<TV, T>(ref TV u, ref TV x, T** state, nint i)
        where TV : struct, ISimd<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var m = Rule.Average(state, slot, i, b1, c1, u);
        var v = Rule.Average(state, slot + 1, i, b2, c2, u * u);
        var denom = TV.Sqrt(v / Rule.K<TV, T>(bc2)) + Rule.K<TV, T>(eps);
        if (folded)
        {
            // torch.optim: two addcdiv_ on θ, with the learning rate inside each constant.
            x = x + Rule.K<TV, T>(cg) * u / denom;
            u = Rule.K<TV, T>(cm) * m / denom;
        }
        else u = Rule.K<TV, T>(cg) * u / denom + Rule.K<TV, T>(cm) * m / denom;
    }
}
