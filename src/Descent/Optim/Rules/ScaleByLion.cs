using System.Numerics;
using System.Runtime.CompilerServices;
using Descent.Optim.Fused;

namespace Descent.Optim.Rules;

/// <summary>
/// Lion's scaling (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms"): the sign of an
/// interpolated momentum, <c>u ← sign(β₁m + (1−β₁)u)</c>, then <c>m ← β₂m + (1−β₂)g</c>; every coordinate
/// moves by exactly the learning rate.
/// </summary>
public unsafe struct ScaleByLion : IRule<ScaleByLion>
{
    private double b1, b2, c1, c2;
    private int slot;

    /// <inheritdoc />
    public static IReadOnlyList<HyperparameterSpec> Keys { get; } =
        [Hp.Beta("beta1", 0.9, "β₁, interpolation for the update"), Hp.Beta("beta2", 0.99, "β₂, decay of the momentum")];

    /// <inheritdoc />
    public static ScaleByLion Create(OptimizerSettings settings) => new() { b1 = settings.Real("beta1"), b2 = settings.Real("beta2"), c1 = 1 - settings.Real("beta1"), c2 = 1 - settings.Real("beta2") };

    /// <inheritdoc />
    public void Bind(List<StateSlot> slots) => slot = Rule.Add(slots, new StateSlot("exp_avg"));

    /// <inheritdoc />
    public void Describe(List<RuleText> lines) =>
        lines.Add(new("scale_by_lion", "u ← sign(β₁m + (1−β₁)u); m ← β₂m + (1−β₂)g", "Chen et al. 2023"));

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
        var m = Rule.Load<TV, T>(state, slot, i);
        var c = m * Rule.K<TV, T>(b1) + Rule.K<TV, T>(c1) * u;
        Rule.Store(m * Rule.K<TV, T>(b2) + Rule.K<TV, T>(c2) * u, state, slot, i);
        u = TV.Sign(c);
    }
}
