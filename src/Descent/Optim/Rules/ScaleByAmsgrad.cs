using System.Numerics;
using System.Runtime.CompilerServices;
using Descent.Optim.Fused;

namespace Descent.Optim.Rules;

/// <summary>
/// AMSGrad as its paper states it (Reddi, Kale &amp; Kumar 2018, Alg. 2): Adam's moments without bias
/// correction and a non-decreasing second moment, <c>m ← β₁m + (1−β₁)u</c>, <c>v ← β₂v + (1−β₂)u⊙u</c>,
/// <c>v̂ ← max(v̂, v)</c>, <c>u ← m/(√v̂ + δ)</c>.
/// </summary>
public unsafe struct ScaleByAmsgrad : IRule<ScaleByAmsgrad>
{
    private double b1, b2, eps, c1, c2;
    private int slot;

    /// <inheritdoc />
    public static IReadOnlyList<HyperparameterSpec> Keys { get; } =
    [
        Hp.Beta("beta1", 0.9, "β₁, decay of the first moment"),
        Hp.Beta("beta2", 0.999, "β₂, decay of the second moment"),
        Hp.Positive("eps", 1e-8, "δ, added to √v̂"),
    ];

    /// <inheritdoc />
    public static ScaleByAmsgrad Create(OptimizerSettings settings) =>
        new() { b1 = settings.Real("beta1"), b2 = settings.Real("beta2"), eps = settings.Real("eps"), c1 = 1 - settings.Real("beta1"), c2 = 1 - settings.Real("beta2") };

    /// <inheritdoc />
    public void Bind(List<StateSlot> slots) =>
        slot = Rule.Add(slots, new StateSlot("exp_avg"), new StateSlot("exp_avg_sq"), new StateSlot("max_exp_avg_sq"));

    /// <inheritdoc />
    public void Describe(List<RuleText> lines) => lines.Add(new("scale_by_amsgrad",
        "m ← β₁m + (1−β₁)u; v ← β₂v + (1−β₂)u⊙u; v̂ ← max(v̂, v); u ← m/(√v̂ + δ)", "Reddi, Kale & Kumar 2018, Alg. 2"));

    /// <inheritdoc />
    public LookAhead? LookAhead => null;

    /// <inheritdoc />
    public void Prepare(in RuleStep step) { }

    /// <inheritdoc />
    public double? Scalar => null;

    /// <inheritdoc />
    public bool Fold(double factor) => false;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Apply<TV, T>(ref TV u, ref TV x, T** state, nint i)
        where TV : struct, ISimd<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var m = Rule.Average(state, slot, i, b1, c1, u);
        var v = Rule.Average(state, slot + 1, i, b2, c2, u * u);
        var vmax = TV.Max(Rule.Load<TV, T>(state, slot + 2, i), v);
        Rule.Store(vmax, state, slot + 2, i);
        u = m / (TV.Sqrt(vmax) + Rule.K<TV, T>(eps));
    }
}
