using System.Numerics;
using System.Runtime.CompilerServices;
using Descent.Optim.Fused;

namespace Descent.Optim.Rules;

/// <summary>
/// The descent step with AdaGrad's own learning-rate decay (torch.optim.Adagrad's <c>lr_decay</c>):
/// <c>u ← −μₜu</c> with <c>μₜ = μ/(1 + (t−1)·lr_decay)</c>, on top of any schedule.
/// </summary>
public unsafe struct InverseTimeDescend : IRule<InverseTimeDescend>
{
    private double decay, negLr;

    /// <inheritdoc />
    public static IReadOnlyList<HyperparameterSpec> Keys { get; } =
        [Hp.Lr(0.01), Hp.NonNegative("lr_decay", 0, "learning-rate decay: μ/(1 + (t−1)·lr_decay)")];

    /// <inheritdoc />
    public static InverseTimeDescend Create(OptimizerSettings settings) => new() { decay = settings.Real("lr_decay") };

    /// <inheritdoc />
    public void Bind(List<StateSlot> slots) { }

    /// <inheritdoc />
    public void Describe(List<RuleText> lines) => lines.Add(new("descend_inverse_time", "θ ← θ − μ/(1 + (t−1)·lr_decay) · u"));

    /// <inheritdoc />
    public LookAhead? LookAhead => null;

    /// <inheritdoc />
    public void Prepare(in RuleStep step) => negLr = -(step.LearningRate / (1 + (step.Step - 1) * decay));

    /// <inheritdoc />
    public double? Scalar => negLr;

    /// <inheritdoc />
    public bool Fold(double factor) => false;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Apply<TV, T>(ref TV u, ref TV x, T** state, nint i)
        where TV : struct, ISimd<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => u = Rule.K<TV, T>(negLr) * u;
}
