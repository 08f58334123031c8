using System.Numerics;
using System.Runtime.CompilerServices;
using Descent.Optim.Fused;

namespace Descent.Optim.Rules;

/// <summary>
/// The course's heavy-ball momentum after the learning rate (Polyak 1964; Goodfellow et al. 2016, Alg. 8.2):
/// with u = −μg coming in, <c>v ← αv + u</c> (that is, <c>v ← αv − μg</c>) and <c>u ← v</c>, so
/// <c>θ ← θ + v</c>. With α = 0 it does nothing and keeps no buffer.
/// </summary>
public unsafe struct Velocity : IRule<Velocity>
{
    private double mu;
    private int slot;

    /// <inheritdoc />
    public static IReadOnlyList<HyperparameterSpec> Keys { get; } =
        [Hp.Beta("momentum", 0.9, "momentum α (0.5, 0.9, 0.99 are usual)")];

    /// <inheritdoc />
    public static Velocity Create(OptimizerSettings settings) => new() { mu = settings.Real("momentum"), slot = -1 };

    /// <inheritdoc />
    public void Bind(List<StateSlot> slots)
    {
        if (mu > 0) slot = Rule.Add(slots, new StateSlot("velocity"));
    }

    /// <inheritdoc />
    public void Describe(List<RuleText> lines)
    {
        lines.Add(new("velocity", "if α > 0: v ← αv + u; u ← v  (θ ← θ + v)", "Polyak 1964"));
    }

    /// <inheritdoc />
    public LookAhead? LookAhead => null;

    /// <inheritdoc />
    public void Prepare(in RuleStep step) { }

    /// <inheritdoc />
    public double? Scalar => slot < 0 ? 1 : null;

    /// <inheritdoc />
    public bool Fold(double factor) => false;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Apply<TV, T>(ref TV u, ref TV x, T** state, nint i)
        where TV : struct, ISimd<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (slot < 0) return;
        var v = Rule.K<TV, T>(mu) * Rule.Load<TV, T>(state, slot, i) + u;
        Rule.Store(v, state, slot, i);
        u = v;
    }
}
