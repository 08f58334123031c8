using System.Numerics;
using System.Runtime.CompilerServices;
using Descent.Optim.Fused;

namespace Descent.Optim.Rules;

/// <summary>
/// AdaDelta (Zeiler 2012), unit-correct steps without a learning rate: <c>s ← ρs + (1−ρ)u²</c>,
/// <c>u' = √((Δ + ε)/(s + ε)) ⊙ u</c>, <c>Δ ← ρΔ + (1−ρ)u'²</c>, <c>u ← u'</c> (a descent step with μ = 1
/// follows, as in the paper).
/// </summary>
public unsafe struct ScaleByAdadelta : IRule<ScaleByAdadelta>
{
    private double rho, eps, q1;
    private int slot;

    /// <inheritdoc />
    public static IReadOnlyList<HyperparameterSpec> Keys { get; } =
        [Hp.Beta("rho", 0.95, "ρ, decay of both averages"), Hp.Positive("eps", 1e-6, "ε")];

    /// <inheritdoc />
    public static ScaleByAdadelta Create(OptimizerSettings settings) => new() { rho = settings.Real("rho"), eps = settings.Real("eps"), q1 = 1 - settings.Real("rho") };

    /// <inheritdoc />
    public void Bind(List<StateSlot> slots) => slot = Rule.Add(slots, new StateSlot("square_avg"), new StateSlot("acc_delta"));

    /// <inheritdoc />
    public void Describe(List<RuleText> lines) =>
        lines.Add(new("scale_by_adadelta", "s ← ρs + (1−ρ)u²; u' = √((Δ+ε)/(s+ε)) ⊙ u; Δ ← ρΔ + (1−ρ)u'²; u ← u'", "Zeiler 2012"));

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
        TV p = Rule.K<TV, T>(rho), q = Rule.K<TV, T>(q1), e = Rule.K<TV, T>(eps);
        var sq = Rule.Load<TV, T>(state, slot, i) * p + q * (u * u);
        Rule.Store(sq, state, slot, i);
        var acc = Rule.Load<TV, T>(state, slot + 1, i);
        var delta = TV.Sqrt(acc + e) / TV.Sqrt(sq + e) * u;
        Rule.Store(acc * p + q * (delta * delta), state, slot + 1, i);
        u = delta;
    }
}
