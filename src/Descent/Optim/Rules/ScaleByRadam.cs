using System.Numerics;
using System.Runtime.CompilerServices;
using Descent.Optim.Fused;

namespace Descent.Optim.Rules;

/// <summary>
/// RAdam's scaling (Liu et al. 2020, "On the Variance of the Adaptive Learning Rate and Beyond"): Adam whose
/// adaptive step is switched on once the variance of the adaptive rate is tractable. With
/// <c>ρ∞ = 2/(1−β₂) − 1</c> and <c>ρₜ = ρ∞ − 2tβ₂ᵗ/(1−β₂ᵗ)</c>: if <c>ρₜ &gt; 4</c> (5 with
/// <c>variant=pytorch</c>, as torch.optim and the authors' code), <c>u ← rₜ·m̂·√(1−β₂ᵗ)/(√v + δ)</c> with
/// <c>rₜ = √((ρₜ−4)(ρₜ−2)ρ∞/((ρ∞−4)(ρ∞−2)ρₜ))</c>; otherwise <c>u ← m̂</c> (momentum SGD).
/// </summary>
public unsafe struct ScaleByRadam : IRule<ScaleByRadam>
{
    private double b1, b2, eps, threshold, bc1, sqrtBc2, rect, fold, c1, c2;
    private bool adaptive;
    private int slot;

    /// <inheritdoc />
    public static IReadOnlyList<HyperparameterSpec> Keys { get; } =
        [Hp.Beta("beta1", 0.9, "β₁"), Hp.Beta("beta2", 0.999, "β₂"), Hp.Positive("eps", 1e-8, "δ")];

    /// <inheritdoc />
    public static ScaleByRadam Create(OptimizerSettings settings) => new()
    {
        b1 = settings.Real("beta1"), b2 = settings.Real("beta2"), eps = settings.Real("eps"), threshold = settings.IsPytorch ? 5 : 4,
        c1 = 1 - settings.Real("beta1"), c2 = 1 - settings.Real("beta2"),
    };

    /// <inheritdoc />
    public void Bind(List<StateSlot> slots) => slot = Rule.Add(slots, new StateSlot("exp_avg"), new StateSlot("exp_avg_sq"));

    /// <inheritdoc />
    public void Describe(List<RuleText> lines) => lines.Add(new("scale_by_radam",
        $"m, v as Adam; ρₜ = ρ∞ − 2tβ₂ᵗ/(1−β₂ᵗ); if ρₜ > {threshold}: u ← rₜ m̂ √(1−β₂ᵗ)/(√v + δ), else u ← m̂",
        "Liu, Jiang, He, Chen, Liu, Gao & Han 2020"));

    /// <inheritdoc />
    public LookAhead? LookAhead => null;

    /// <summary>ρₜ and the rectification rₜ (NaN while the adaptive step is off).</summary>
    internal static (double Rho, double Rect) Rectification(long t, double beta2, double threshold)
    {
        double rhoInf = 2 / (1 - beta2) - 1;
        double bt = Math.Pow(beta2, t);
        double rho = rhoInf - 2 * t * bt / (1 - bt);
        if (!(rho > threshold)) return (rho, double.NaN);
        return (rho, Math.Sqrt((rho - 4) * (rho - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rho)));
    }

    /// <inheritdoc />
    public void Prepare(in RuleStep step)
    {
        bc1 = 1 - Math.Pow(b1, step.Step);
        sqrtBc2 = Math.Sqrt(1 - Math.Pow(b2, step.Step));
        (_, rect) = Rectification(step.Step, b2, threshold);
        adaptive = !double.IsNaN(rect);
        fold = 1;
    }

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
        var m = Rule.Average(state, slot, i, b1, c1, u);
        var v = Rule.Average(state, slot + 1, i, b2, c2, u * u);
        var mhat = m / Rule.K<TV, T>(bc1);
        // torch: θ.add_(m̂ · μ · (√bc2 / (√v + δ)) · rₜ, alpha=−1), where a scalar over a tensor is
        // reciprocal(tensor)·scalar; a folded descent step −μ enters as that μ, and the sign at the end.
        var step = fold == 1 ? mhat : mhat * Rule.K<TV, T>(-fold);
        if (adaptive) step = step * (TV.Splat(T.One) / (TV.Sqrt(v) + Rule.K<TV, T>(eps)) * Rule.K<TV, T>(sqrtBc2)) * Rule.K<TV, T>(rect);
        u = fold == 1 ? step : TV.Splat(-T.One) * step;
    }
}
