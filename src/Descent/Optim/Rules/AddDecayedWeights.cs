using System.Numerics;
using System.Runtime.CompilerServices;
using Descent.Optim.Fused;

namespace Descent.Optim.Rules;

/// <summary>
/// An L2 penalty <c>(λ/2)‖θ‖²</c> added to the loss, as its gradient: <c>u ← u + λθ</c> (torch.optim's
/// <c>weight_decay</c> in SGD, Adam, RMSprop…). Placed first in a chain it is what adaptive methods then
/// rescale, which is why it differs from decoupled decay (<see cref="DecoupledWeightDecay"/>).
/// </summary>
public unsafe struct AddDecayedWeights : IRule<AddDecayedWeights>
{
    private double wd;

    /// <inheritdoc />
    public static IReadOnlyList<HyperparameterSpec> Keys { get; } =
        [Hp.NonNegative("weight_decay", 0, "L2 penalty λ added to the gradient, g + λθ")];

    /// <inheritdoc />
    public static AddDecayedWeights Create(OptimizerSettings settings) => new() { wd = settings.Real("weight_decay") };

    /// <inheritdoc />
    public void Bind(List<StateSlot> slots) { }

    /// <inheritdoc />
    public void Describe(List<RuleText> lines) => lines.Add(new("add_decayed_weights", "u ← g + λθ"));

    /// <inheritdoc />
    public LookAhead? LookAhead => null;

    /// <inheritdoc />
    public void Prepare(in RuleStep step) { }

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
        if (wd != 0) u = u + Rule.K<TV, T>(wd) * x;
    }
}
