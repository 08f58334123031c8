using System.Numerics;
using Descent.Optim.Schedules;
using Descent.Tensors;

namespace Descent.Optim.Rules;

/// <summary>Base of stateless rules.</summary>
public abstract class StatelessRule : IUpdateRule
{
    /// <inheritdoc />
    public abstract string Name { get; }

    /// <inheritdoc />
    public RuleState Init(int count, DType dtype) => RuleState.Empty;

    /// <inheritdoc />
    public abstract void Update<T>(Span<T> updates, RuleState state, ReadOnlySpan<T> parameters, long step)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>;

    /// <summary>Converts a double constant to the element type.</summary>
    protected static T C<T>(double x) where T : IBinaryFloatingPointIeee754<T> => T.CreateTruncating(x);
}

/// <summary><c>u ← factor·u</c>.</summary>
public sealed class Scale(double factor) : StatelessRule
{
    /// <inheritdoc />
    public override string Name => "scale";

    /// <inheritdoc />
    public override void Update<T>(Span<T> updates, RuleState state, ReadOnlySpan<T> parameters, long step)
    {
        var f = C<T>(factor);
        for (int i = 0; i < updates.Length; i++) updates[i] = f * updates[i];
    }
}

/// <summary>The descent step: <c>u ← −lr·s(t−1)·u</c>, with the learning rate <c>lr</c> and a
/// <see cref="Schedule"/> factor <c>s</c> (constant 1 by default).</summary>
public sealed class ScaleByLearningRate(double lr, Schedule? schedule = null) : StatelessRule
{
    /// <summary>The base learning rate.</summary>
    public double LearningRate => lr;

    /// <inheritdoc />
    public override string Name => "scale_by_learning_rate";

    /// <inheritdoc />
    public override void Update<T>(Span<T> updates, RuleState state, ReadOnlySpan<T> parameters, long step)
    {
        var f = C<T>(-lr * (schedule?.Factor(step - 1) ?? 1));
        for (int i = 0; i < updates.Length; i++) updates[i] = f * updates[i];
    }
}

/// <summary>
/// <c>u ← u + wd·θ</c>. Placed before an adaptive rule it is an L2 penalty <c>(wd/2)‖θ‖²</c> added to the
/// loss (its gradient); placed after the adaptive rule and before <see cref="ScaleByLearningRate"/> it is
/// decoupled weight decay <c>θ ← θ − lr·wd·θ</c> (Loshchilov &amp; Hutter 2019, AdamW).
/// </summary>
public sealed class AddDecayedWeights(double weightDecay) : StatelessRule
{
    /// <inheritdoc />
    public override string Name => "add_decayed_weights";

    /// <inheritdoc />
    public override void Update<T>(Span<T> updates, RuleState state, ReadOnlySpan<T> parameters, long step)
    {
        if (weightDecay == 0) return;
        var wd = C<T>(weightDecay);
        for (int i = 0; i < updates.Length; i++) updates[i] += wd * parameters[i];
    }
}

/// <summary>Clips each element to [−c, c].</summary>
public sealed class ClipByValue(double max) : StatelessRule
{
    /// <inheritdoc />
    public override string Name => "clip_by_value";

    /// <inheritdoc />
    public override void Update<T>(Span<T> updates, RuleState state, ReadOnlySpan<T> parameters, long step)
    {
        T hi = C<T>(max), lo = -hi;
        for (int i = 0; i < updates.Length; i++) updates[i] = T.Min(T.Max(updates[i], lo), hi);
    }
}

/// <summary>
/// Gradient clipping by norm against cliffs (Pascanu et al. 2013): if ‖u‖ &gt; c, <c>u ← u·c/(‖u‖ + 1e-6)</c>
/// (PyTorch's <c>clip_grad_norm_</c>). The norm before clipping is kept in <see cref="LastNorm"/> for
/// reporting. The norm is over the span the rule is given (the whole vector unless parameter groups split it).
/// </summary>
public sealed class ClipByGlobalNorm(double maxNorm) : StatelessRule
{
    /// <summary>The norm of the updates seen by the last call, before clipping.</summary>
    public double LastNorm { get; private set; } = double.NaN;

    /// <inheritdoc />
    public override string Name => "clip_by_global_norm";

    /// <inheritdoc />
    public override void Update<T>(Span<T> updates, RuleState state, ReadOnlySpan<T> parameters, long step)
    {
        double sum = 0;
        foreach (var u in updates) { double d = double.CreateTruncating(u); sum += d * d; }
        LastNorm = Math.Sqrt(sum);
        if (LastNorm <= maxNorm) return;
        var f = C<T>(maxNorm / (LastNorm + 1e-6));
        for (int i = 0; i < updates.Length; i++) updates[i] *= f;
    }
}

/// <summary>
/// The proximal step of an L1 penalty <c>λ‖θ‖₁</c> (soft-thresholding, as in ISTA): the parameters after the
/// update, <c>θ + u</c>, are shrunk towards zero by <c>lr·λ</c> and set to zero when they cross it:
/// <c>u ← S(θ + u, lr·λ) − θ</c> with <c>S(x, τ) = sign(x)·max(|x| − τ, 0)</c>. Put it last in a chain.
/// Unlike adding <c>λ sign(θ)</c> to the gradient it produces exact zeros.
/// </summary>
public sealed class L1Proximal(double lambda, double lr, Schedule? schedule = null) : StatelessRule
{
    /// <inheritdoc />
    public override string Name => "l1_proximal";

    /// <inheritdoc />
    public override void Update<T>(Span<T> updates, RuleState state, ReadOnlySpan<T> parameters, long step)
    {
        var tau = C<T>(lambda * lr * (schedule?.Factor(step - 1) ?? 1));
        for (int i = 0; i < updates.Length; i++)
        {
            T x = parameters[i] + updates[i];
            T shrunk = T.Max(T.Abs(x) - tau, T.Zero);
            updates[i] = T.CopySign(shrunk, x) - parameters[i];
        }
    }
}
