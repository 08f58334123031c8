using System.Numerics;
using System.Runtime.CompilerServices;
using Descent.Optim.Fused;

namespace Descent.Optim.Rules;

/// <summary>
/// AdaGrad's scaling (Duchi, Hazan &amp; Singer 2011; Goodfellow et al. 2016, Alg. 8.4): the root of the sum of
/// squared gradients, <c>r ← r + u⊙u</c>, <c>u ← u/(δ + √r)</c>, with r starting at
/// <c>initial_accumulator_value</c>.
/// </summary>
public unsafe struct ScaleByRss : IRule<ScaleByRss>
{
    private double eps, initial, fold;
    private int slot;

    /// <inheritdoc />
    public static IReadOnlyList<HyperparameterSpec> Keys { get; } =
    [
        Hp.Positive("eps", 1e-7, "δ, added to √r"),
        Hp.NonNegative("initial_accumulator_value", 0, "starting value of r"),
    ];

    /// <inheritdoc />
    public static ScaleByRss Create(OptimizerSettings settings) =>
        new() { eps = settings.Real("eps"), initial = settings.Real("initial_accumulator_value") };

    /// <inheritdoc />
    public void Bind(List<StateSlot> slots) => slot = Rule.Add(slots, new StateSlot("sum", initial));

    /// <inheritdoc />
    public void Describe(List<RuleText> lines) =>
        lines.Add(new("scale_by_rss", "r ← r + u⊙u; u ← u/(δ + √r)", "Duchi, Hazan & Singer 2011; Goodfellow et al. 2016, Alg. 8.4"));

    /// <inheritdoc />
    public LookAhead? LookAhead => null;

    /// <inheritdoc />
    public void Prepare(in RuleStep step) => fold = 1;

    /// <inheritdoc />
    public double? Scalar => null;

    /// <inheritdoc />
    public bool Fold(double factor)
    {
        fold = factor;
        return true;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Apply<TV, T>(ref TV u, ref TV x, T** state, nint i)
        where TV : struct, ISimd<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var r = Rule.Load<TV, T>(state, slot, i) + u * u;
        Rule.Store(r, state, slot, i);
        u = Rule.K<TV, T>(fold) * u / (TV.Sqrt(r) + Rule.K<TV, T>(eps));
    }
}
