using System.Numerics;
using System.Runtime.CompilerServices;
using Descent.Optim.Fused;

namespace Descent.Optim.Rules;

/// <summary>
/// AdaMax (Kingma &amp; Ba 2015, §7.1), Adam with the infinity norm: <c>m ← β₁m + (1−β₁)u</c>,
/// <c>w ← max(β₂w, |u| + δ)</c>, <c>u ← m/((1−β₁ᵗ)·w)</c>; δ sits inside the max as in torch.optim.Adamax.
/// </summary>
public unsafe struct ScaleByAdamax : IRule<ScaleByAdamax>
{
    private double b1, b2, eps, c1;
    private BiasCorrection bc;   // the first moment's only: the infinity norm needs none
    private int slot;

    /// <inheritdoc />
    public static IReadOnlyList<HyperparameterSpec> Keys { get; } =
    [
        Hp.Beta("beta1", 0.9, "β₁"),
        Hp.Beta("beta2", 0.999, "β₂, decay of the infinity norm"),
        Hp.Positive("eps", 1e-8, "δ"),
    ];

    /// <inheritdoc />
    public static ScaleByAdamax Create(OptimizerSettings settings) =>
        new() { b1 = settings.Real("beta1"), b2 = settings.Real("beta2"), eps = settings.Real("eps"), c1 = 1 - settings.Real("beta1") };

    /// <inheritdoc />
    public void Bind(List<StateSlot> slots) => slot = Rule.Add(slots, new StateSlot("exp_avg"), new StateSlot("exp_inf"));

    /// <inheritdoc />
    public void Describe(List<RuleText> lines) => lines.Add(new("scale_by_adamax",
        "m ← β₁m + (1−β₁)u; w ← max(β₂w, |u| + δ); u ← m/((1−β₁ᵗ)w)", "Kingma & Ba 2015, §7.1"));

    /// <inheritdoc />
    public LookAhead? LookAhead => null;

    /// <inheritdoc />
    public void Prepare(in RuleStep step) => bc.Prepare(b1, 0, step.Step);

    /// <inheritdoc />
    public double? Scalar => null;

    /// <inheritdoc />
    public bool Fold(double factor)
    {
        bc.Fold(factor);
        return true;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Apply<TV, T>(ref TV u, ref TV x, T** state, nint i)
        where TV : struct, ISimd<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var m = Rule.Average(state, slot, i, b1, c1, u);
        var w = TV.Max(Rule.Load<TV, T>(state, slot + 1, i) * Rule.K<TV, T>(b2), TV.Abs(u) + Rule.K<TV, T>(eps));
        Rule.Store(w, state, slot + 1, i);
        u = Rule.K<TV, T>(bc.Scale) * m / w;
    }
}
