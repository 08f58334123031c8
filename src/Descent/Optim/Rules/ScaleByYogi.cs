using System.Numerics;
using System.Runtime.CompilerServices;
using Descent.Optim.Fused;

namespace Descent.Optim.Rules;

/// <summary>
/// Yogi's scaling (Zaheer, Reddi, Sachan, Kale &amp; Kumar 2018, "Adaptive Methods for Nonconvex
/// Optimization"): like Adam without bias correction, but the second moment moves additively,
/// <c>v ← v − (1−β₂)·sign(v − u²)·u²</c>, so it grows no faster than u²; <c>u ← m/(√v + δ)</c>, with v
/// starting at <c>initial_accumulator_value</c>.
/// </summary>
public unsafe struct ScaleByYogi : IRule<ScaleByYogi>
{
    private double b1, eps, initial, c1, c2, fold;
    private int slot;

    /// <inheritdoc />
    public static IReadOnlyList<HyperparameterSpec> Keys { get; } =
    [
        Hp.Beta("beta1", 0.9, "β₁"), Hp.Beta("beta2", 0.999, "β₂"), Hp.Positive("eps", 1e-3, "δ"),
        Hp.NonNegative("initial_accumulator_value", 1e-6, "starting value of v"),
    ];

    /// <inheritdoc />
    public static ScaleByYogi Create(OptimizerSettings settings) => new()
    {
        b1 = settings.Real("beta1"), eps = settings.Real("eps"), initial = settings.Real("initial_accumulator_value"),
        c1 = 1 - settings.Real("beta1"), c2 = 1 - settings.Real("beta2"),
    };

    /// <inheritdoc />
    public void Bind(List<StateSlot> slots) => slot = Rule.Add(slots, new StateSlot("exp_avg"), new StateSlot("exp_avg_sq", initial));

    /// <inheritdoc />
    public void Describe(List<RuleText> lines) => lines.Add(new("scale_by_yogi",
        "m ← β₁m + (1−β₁)u; v ← v − (1−β₂) sign(v − u²) u²; u ← m/(√v + δ)", "Zaheer, Reddi, Sachan, Kale & Kumar 2018"));

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
        var g2 = u * u;
        var m = Rule.Average(state, slot, i, b1, c1, u);
        var v = Rule.Load<TV, T>(state, slot + 1, i);
        v = v - Rule.K<TV, T>(c2) * TV.Sign(v - g2) * g2;
        Rule.Store(v, state, slot + 1, i);
        u = Rule.K<TV, T>(fold) * m / (TV.Sqrt(v) + Rule.K<TV, T>(eps));
    }
}
