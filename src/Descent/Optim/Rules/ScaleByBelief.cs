using System.Numerics;
using System.Runtime.CompilerServices;
using Descent.Optim.Fused;

namespace Descent.Optim.Rules;

/// <summary>
/// AdaBelief's scaling (Zhuang, Tang, Ding, Tatikonda, Dvornek, Papademetris &amp; Duncan 2020, "AdaBelief
/// Optimizer: Adapting Stepsizes by the Belief in Observed Gradients", Alg. 2): Adam whose second moment is
/// the variance of the gradient around its running mean (the "belief"), <c>m ← β₁m + (1−β₁)u</c>,
/// <c>s ← β₂s + (1−β₂)(u − m)² + ε</c>, <c>u ← m̂/(√ŝ + ε)</c> with <c>m̂ = m/(1−β₁ᵗ)</c>, <c>ŝ = s/(1−β₂ᵗ)</c>.
/// The default ε = 1e-16 is the authors' released default (ε enters s itself, so it plays the role of
/// Adam's 1e-8 squared).
/// </summary>
public unsafe struct ScaleByBelief : IRule<ScaleByBelief>
{
    private double b1, b2, eps, c1, c2;
    private BiasCorrection bc;
    private int slot;

    /// <inheritdoc />
    public static IReadOnlyList<HyperparameterSpec> Keys { get; } =
    [
        Hp.Beta("beta1", 0.9, "β₁, decay of the first moment"),
        Hp.Beta("beta2", 0.999, "β₂, decay of the belief s"),
        Hp.Positive("eps", 1e-16, "ε, added to s and to √ŝ"),
    ];

    /// <inheritdoc />
    public static ScaleByBelief Create(OptimizerSettings settings) =>
        new() { b1 = settings.Real("beta1"), b2 = settings.Real("beta2"), eps = settings.Real("eps"), c1 = 1 - settings.Real("beta1"), c2 = 1 - settings.Real("beta2") };

    /// <inheritdoc />
    public void Bind(List<StateSlot> slots) => slot = Rule.Add(slots, new StateSlot("exp_avg"), new StateSlot("exp_avg_var"));

    /// <inheritdoc />
    public void Describe(List<RuleText> lines) => lines.Add(new("scale_by_belief",
        "m ← β₁m + (1−β₁)u; s ← β₂s + (1−β₂)(u − m)² + ε; u ← m̂/(√ŝ + ε), m̂ = m/(1−β₁ᵗ), ŝ = s/(1−β₂ᵗ)",
        "Zhuang et al. 2020 (AdaBelief), Alg. 2"));

    /// <inheritdoc />
    public LookAhead? LookAhead => null;

    /// <inheritdoc />
    public void Prepare(in RuleStep step) => bc.Prepare(b1, b2, step.Step);

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
        var e = Rule.K<TV, T>(eps);
        var m = Rule.Average(state, slot, i, b1, c1, u);
        var r = u - m;
        var s = Rule.Load<TV, T>(state, slot + 1, i) * Rule.K<TV, T>(b2) + Rule.K<TV, T>(c2) * (r * r) + e;
        Rule.Store(s, state, slot + 1, i);
        u = Rule.K<TV, T>(bc.Scale) * m / (TV.Sqrt(s) / Rule.K<TV, T>(bc.SqrtSecond) + e);
    }
}
