using System.Numerics;
using System.Runtime.CompilerServices;
using Descent.Optim.Fused;

namespace Descent.Optim.Rules;

/// <summary>
/// The descent step (Optax's <c>scale_by_learning_rate</c>): <c>u ← −μu</c>, so that <c>θ ← θ − μu</c>, with
/// μ the parameter group's learning rate times the schedule's factor for this step. Gradient descent is
/// this rule alone (Cauchy 1847; Robbins &amp; Monro 1951 on mini-batches).
/// </summary>
public unsafe struct Descend : IRule<Descend>
{
    private double negLr;

    /// <inheritdoc />
    public static IReadOnlyList<HyperparameterSpec> Keys { get; } = [Hp.Lr(0.01)];

    /// <inheritdoc />
    public static Descend Create(OptimizerSettings settings) => default;

    /// <inheritdoc />
    public void Bind(List<StateSlot> slots) { }

    /// <inheritdoc />
    public void Describe(List<RuleText> lines) => lines.Add(new("descend", "θ ← θ − μu"));

    /// <inheritdoc />
    public LookAhead? LookAhead => null;

    /// <inheritdoc />
    public void Prepare(in RuleStep step) => negLr = -step.LearningRate;

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
