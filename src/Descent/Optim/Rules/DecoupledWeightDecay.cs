using System.Numerics;
using System.Runtime.CompilerServices;
using Descent.Optim.Fused;

namespace Descent.Optim.Rules;

/// <summary>
/// Decoupled weight decay (Loshchilov &amp; Hutter 2019, AdamW): the parameters shrink by the learning rate
/// times λ before the rest of the update, <c>θ ← θ − μλθ</c>, whatever an adaptive rule does to the gradient
/// (torch.optim.AdamW's <c>param.mul_(1 − lr·weight_decay)</c>).
/// </summary>
public unsafe struct DecoupledWeightDecay : IRule<DecoupledWeightDecay>
{
    private double wd, keep;

    /// <inheritdoc />
    public static IReadOnlyList<HyperparameterSpec> Keys { get; } =
        [Hp.NonNegative("weight_decay", 0, "decoupled weight decay λ: θ ← θ − μλθ")];

    /// <inheritdoc />
    public static DecoupledWeightDecay Create(OptimizerSettings settings) => new() { wd = settings.Real("weight_decay") };

    /// <inheritdoc />
    public void Bind(List<StateSlot> slots) { }

    /// <inheritdoc />
    public void Describe(List<RuleText> lines) =>
        lines.Add(new("decoupled_weight_decay", "θ ← θ − μλθ", "Loshchilov & Hutter 2019"));

    /// <inheritdoc />
    public LookAhead? LookAhead => null;

    /// <inheritdoc />
    public void Prepare(in RuleStep step) => keep = 1 - step.LearningRate * wd;

    /// <inheritdoc />
    public double? Scalar => wd == 0 ? 1 : null;

    /// <inheritdoc />
    public bool Fold(double factor) => false;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Apply<TV, T>(ref TV u, ref TV x, T** state, nint i)
        where TV : struct, ISimd<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (wd != 0) x = x * Rule.K<TV, T>(keep);
    }
}
