using System.Numerics;
using System.Runtime.CompilerServices;
using Descent.Optim.Fused;

namespace Descent.Optim.Rules;

/// <summary>
/// Adam's scaling (Kingma &amp; Ba 2015): <c>m ← β₁m + (1−β₁)u</c>, <c>v ← β₂v + (1−β₂)u⊙u</c>,
/// <c>u ← m̂/(√v̂ + δ)</c> with <c>m̂ = m/(1−β₁ᵗ)</c>, <c>v̂ = v/(1−β₂ᵗ)</c>, computed as torch.optim does
/// (<c>√v/√(1−β₂ᵗ) + δ</c>). With <c>amsgrad</c> the running maximum of v is used in the denominator
/// (torch.optim's Adam(amsgrad=True), bias-corrected; the AMSGrad paper's own form is <see cref="ScaleByAmsgrad"/>).
/// </summary>
public unsafe struct ScaleByAdam : IRule<ScaleByAdam>
{
    private double b1, b2, eps, c1, c2;
    private BiasCorrection bc;
    private bool amsgrad;
    private int slot;

    /// <inheritdoc />
    public static IReadOnlyList<HyperparameterSpec> Keys { get; } =
    [
        Hp.Beta("beta1", 0.9, "β₁, decay of the first moment"),
        Hp.Beta("beta2", 0.999, "β₂, decay of the second moment"),
        Hp.Positive("eps", 1e-8, "δ, added to √v̂"),
        Hp.Flag("amsgrad", false, "use the running maximum of v (Reddi et al. 2018, as in torch.optim)") with { PerGroup = false },
    ];

    /// <inheritdoc />
    public static ScaleByAdam Create(OptimizerSettings settings) => new()
    {
        b1 = settings.Real("beta1"), b2 = settings.Real("beta2"), eps = settings.Real("eps"), amsgrad = settings.Flag("amsgrad"),
        c1 = 1 - settings.Real("beta1"), c2 = 1 - settings.Real("beta2"),
    };

    /// <inheritdoc />
    public void Bind(List<StateSlot> slots) => slot = amsgrad
        ? Rule.Add(slots, new StateSlot("exp_avg"), new StateSlot("exp_avg_sq"), new StateSlot("max_exp_avg_sq"))
        : Rule.Add(slots, new StateSlot("exp_avg"), new StateSlot("exp_avg_sq"));

    /// <inheritdoc />
    public void Describe(List<RuleText> lines) => lines.Add(new("scale_by_adam", amsgrad
        ? "m ← β₁m + (1−β₁)u; v ← β₂v + (1−β₂)u⊙u; v̄ ← max(v̄, v); u ← m̂/(√(v̄/(1−β₂ᵗ)) + δ), m̂ = m/(1−β₁ᵗ)"
        : "m ← β₁m + (1−β₁)u; v ← β₂v + (1−β₂)u⊙u; u ← m̂/(√v̂ + δ), m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ)",
        amsgrad ? "Kingma & Ba 2015; Reddi, Kale & Kumar 2018" : "Kingma & Ba 2015"));

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
        var m = Rule.Average(state, slot, i, b1, c1, u);
        var v = Rule.Average(state, slot + 1, i, b2, c2, u * u);
        if (amsgrad)
        {
            v = TV.Max(Rule.Load<TV, T>(state, slot + 2, i), v);
            Rule.Store(v, state, slot + 2, i);
        }
        // torch.optim: θ.addcdiv_(m, √v/√(1−β₂ᵗ) + δ, value=−μ/(1−β₁ᵗ)), i.e. θ + (c·m)/denom.
        u = Rule.K<TV, T>(bc.Scale) * m / (TV.Sqrt(v) / Rule.K<TV, T>(bc.SqrtSecond) + Rule.K<TV, T>(eps));
    }
}
