using System.Numerics;
using System.Runtime.CompilerServices;
using Descent.Optim.Fused;

namespace Descent.Optim.Rules;

/// <summary>
/// A momentum buffer before the learning rate (Polyak 1964; torch.optim.SGD's <c>momentum_buffer</c>, Optax's
/// <c>trace</c>): <c>b ← βb + (1−d)u</c> (<c>b ← u</c> at step 1), then <c>u ← b</c>, or with Nesterov momentum
/// (Sutskever et al. 2013) <c>u ← u + βb</c>. With β = 0 it does nothing and keeps no buffer.
/// </summary>
public unsafe struct MomentumBuffer : IRule<MomentumBuffer>
{
    private double mu, keep;
    private bool nesterov, first;
    private int slot;

    /// <inheritdoc />
    public static IReadOnlyList<HyperparameterSpec> Keys { get; } =
    [
        Hp.Beta("momentum", 0, "momentum β"),
        Hp.Real("dampening", 0, "dampening d of the momentum buffer", 0, 1),
        Hp.Flag("nesterov", false, "Nesterov momentum (needs momentum > 0 and dampening 0)"),
    ];

    /// <inheritdoc />
    public static MomentumBuffer Create(OptimizerSettings settings) => new()
    {
        mu = settings.Real("momentum"), keep = 1 - settings.Real("dampening"), nesterov = settings.Flag("nesterov"), slot = -1,
    };

    /// <inheritdoc />
    public void Bind(List<StateSlot> slots)
    {
        if (mu > 0) slot = Rule.Add(slots, new StateSlot("momentum_buffer"));
    }

    /// <inheritdoc />
    public void Describe(List<RuleText> lines)
    {
        lines.Add(new("momentum_buffer", nesterov
            ? "b ← βb + (1−d)u (b = u at step 1); u ← u + βb"
            : "if β > 0: b ← βb + (1−d)u (b = u at step 1); u ← b  (nesterov: u ← u + βb)", nesterov ? "Sutskever, Martens, Dahl & Hinton 2013" : "Polyak 1964"));
    }

    /// <inheritdoc />
    public LookAhead? LookAhead => null;

    /// <inheritdoc />
    public void Prepare(in RuleStep step) => first = step.Step == 1;

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
        var m = Rule.K<TV, T>(mu);
        var b = first ? u : Rule.Load<TV, T>(state, slot, i) * m + Rule.K<TV, T>(keep) * u;
        Rule.Store(b, state, slot, i);
        u = nesterov ? u + m * b : b;
    }
}
