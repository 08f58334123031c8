using System.Numerics;
using System.Runtime.CompilerServices;
using Descent.Optim.Fused;

namespace Descent.Optim.Rules;

/// <summary>
/// Nesterov's accelerated gradient after the learning rate (Nesterov 1983), with u = −μg coming in.
/// <c>form=lookahead</c> is the original: the gradient is taken at <c>θ + αv</c> (which makes the optimizer
/// a search method), <c>v ← αv + u</c>, <c>θ ← θ + v</c>. <c>form=reformulated</c> (Sutskever et al. 2013;
/// Bengio, Boulanger-Lewandowski &amp; Pascanu 2013) tracks <c>θ' = θ + αv</c> instead and needs only the
/// gradient at the iterate: <c>v ← αv + u</c>, <c>θ' ← θ' + αv + u</c>.
/// </summary>
public unsafe struct NesterovVelocity : IRule<NesterovVelocity>
{
    private double mu;
    private bool lookahead;
    private int slot;

    /// <inheritdoc />
    public static IReadOnlyList<HyperparameterSpec> Keys { get; } =
    [
        Hp.Beta("momentum", 0.9, "momentum α"),
        Hp.Choice("form", "reformulated", "lookahead: gradient at θ + αv (a search method, needs the objective); reformulated: an update rule",
            "reformulated", "lookahead") with { PerGroup = false },
    ];

    /// <inheritdoc />
    public static NesterovVelocity Create(OptimizerSettings settings) =>
        new() { mu = settings.Real("momentum"), lookahead = settings["form"] == "lookahead" };

    /// <inheritdoc />
    public void Bind(List<StateSlot> slots) => slot = Rule.Add(slots, new StateSlot("velocity"));

    /// <inheritdoc />
    public void Describe(List<RuleText> lines) => lines.Add(lookahead
        ? new("nesterov_velocity", "g taken at θ + αv; v ← αv + u; u ← v", "Nesterov 1983")
        : new("nesterov_velocity", "v ← αv + u; u ← αv + u  (at θ' = θ + αv)", "Nesterov 1983; Sutskever, Martens, Dahl & Hinton 2013"));

    /// <inheritdoc />
    public LookAhead? LookAhead => lookahead ? new LookAhead("velocity", mu) : null;

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
        var m = Rule.K<TV, T>(mu);
        var v = m * Rule.Load<TV, T>(state, slot, i) + u;
        Rule.Store(v, state, slot, i);
        u = lookahead ? v : m * v + u;
    }
}
